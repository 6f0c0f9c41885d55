; chainmbr.asm: a diskette's boot sector that clears the screen and boots the hard disk, for the
; differential test of boot code nobody here wrote (boot test int13-mbr): SeaBIOS prints its
; banner before it boots and VBIOS does not, so this sets mode 3 (a blank screen, the cursor at
; 0,0) on both, then reads the hard disk's first sector -- Debian's MBR -- to 0000:7C00 and runs
; it with DL 80h, as a PC's BIOS would have.
bits 16
cpu 386
org 0600h                               ; run from 0000:0600: 7C00h is where the MBR goes

    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 7C00h
    sti
    cld
    mov si, 7C00h
    mov di, 0600h
    mov cx, 256
    rep movsw
    jmp 0:moved
moved:
    mov ax, 0003h
    int 10h
    mov ax, 0201h                       ; one sector from cylinder 0, head 0, sector 1
    mov cx, 0001h
    mov dx, 0080h
    mov bx, 7C00h
    int 13h
    jc .hang
    jmp 0:7C00h                         ; DL is still 80h
.hang:
    hlt
    jmp .hang

    times 510 - ($ - $$) db 0
    dw 0AA55h
