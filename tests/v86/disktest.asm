; disktest.asm: a hard disk's first sector that tries the BIOS's INT 13h and prints what it got,
; for the differential test: the harness boots the same two images -- a diskette whose boot
; sector mtools' mformat wrote (it loads the hard disk's first sector to 0000:7C00 and runs it,
; with DL 80h) and a hard disk whose first sector is this -- on QEMU's own PC BIOS (SeaBIOS) and
; here, and wants the two screens identical.  Sectors 1-7 of the disk are the harness's
; pattern; 5 is written and read back.  Only what both BIOSes must agree on is printed.
bits 16
cpu 386
org 7C00h

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 7C00h
    sti
    mov bp, dx                          ; DL: the drive booted
    mov ax, 0003h                       ; a clear screen (SeaBIOS has written its banner)
    int 10h
    mov si, s_dl
    call puts
    mov ax, bp
    call hex8

    mov si, s_08                        ; AH=08h: the geometry
    mov ah, 08h
    call hd
    mov ax, cx
    call hex16
    mov ax, dx
    call hex16

    mov si, s_15                        ; AH=15h: a hard disk, its sectors
    mov ah, 15h
    call hd
    mov al, ah
    call hex8
    mov ax, cx
    call hex16
    mov ax, dx
    call hex16

    mov si, s_41                        ; AH=41h: the extensions
    mov ah, 41h
    mov bx, 55AAh
    call hd
    mov ax, bx
    call hex16

    mov si, s_02                        ; AH=02h: two sectors at 0/0/2 to 0000:0600
    mov ax, 0202h
    mov cx, 0002h
    mov bx, 0600h
    call hd
    call hex16
    mov si, 0600h
    mov cx, 512
    call sum

    mov si, s_42                        ; AH=42h: LBA 3 to 0000:0A00
    call puts
    mov ah, 42h
    mov si, packet
    call hd0
    mov si, 0A00h
    call sum256

    mov si, s_03                        ; AH=03h: 0000:0600 to LBA 5, read back to 0E00
    mov ax, 0301h
    mov cx, 0006h
    mov bx, 0600h
    call hd
    mov ax, 0201h
    mov bx, 0E00h
    call hd0
    mov si, 0E00h
    call sum256

    mov si, s_48                        ; AH=48h: the size in sectors
    call puts
    mov word [500h], 26
    mov ah, 48h
    mov si, 500h
    call hd0
    mov ax, [500h + 18]
    call hex16
    mov ax, [500h + 16]
    call hex16

    mov si, s_fd                        ; the diskette: AH=08h, and its boot sector
    call puts
    mov ah, 08h
    xor dx, dx
    call dsk
    mov ax, cx
    call hex16
    mov ax, dx
    call hex16
    mov al, bl
    call hex8
    push 0
    pop es                              ; AH=08h pointed ES:DI at its diskette table
    mov ax, 0201h
    mov cx, 0001h
    xor dx, dx
    mov bx, 1000h
    call dsk
    mov si, 1000h
    call sum256

    mov si, s_end
    call puts
    mov al, 'D'
    out 0E9h, al                        ; the harness: done (QEMU's debug console on SeaBIOS)
.hang:
    hlt
    jmp .hang

; hd: the label at SI, then INT 13h on drive 80h; hd0: without the label; dsk: DL as set.
; Each prints "+" (CF clear) or "!" (CF set) and keeps the results.
hd:
    push ax
    call puts
    pop ax
hd0:
    mov dx, 0080h
dsk:
    int 13h
    pushf
    push ax
    mov al, '+'
    jnc .p
    mov al, '!'
.p: call putc
    pop ax
    popf
    ret
sum256:
    mov cx, 256
sum:                                    ; CX words at DS:SI, their sum in hex
    xor ax, ax
.s: add ax, [si]
    add si, 2
    loop .s
hex16:
    push ax
    mov al, ah
    call hex8
    pop ax
hex8:
    push ax
    shr al, 4
    call .d
    pop ax
.d: and al, 0Fh
    add al, '0'
    cmp al, '9'
    jbe putc
    add al, 7
putc:
    push bx
    mov ah, 0Eh
    mov bx, 0007h
    int 10h
    pop bx
    ret
puts:                                   ; a new line, then the label at SI
    mov al, 13
    call putc
    mov al, 10
    call putc
.c: lodsb
    test al, al
    jz .e
    call putc
    jmp .c
.e: ret

s_dl:  db 'DL=', 0
s_08:  db '08', 0
s_15:  db '15', 0
s_41:  db '41', 0
s_02:  db '02', 0
s_42:  db '42', 0
s_03:  db '03', 0
s_48:  db '48', 0
s_fd:  db 'FD', 0
s_end: db 'END', 0
packet: db 16, 0
        dw 1, 0A00h, 0
        dd 3, 0

    times 446 - ($ - $$) db 0           ; no partitions: the geometry is each BIOS's default
    times 64 db 0
    dw 0AA55h
