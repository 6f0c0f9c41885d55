; dostest.asm (DOSTEST.COM): DOSMGR's INT 21h as a DOS program sees it, each answer checked and
; reported to the in-guest suite (report.inc, [Debug] DosTest=1).  SHELL starts it from
; [boot] shell=C:\DOSTEST.COM ARG1 ARG2; it ends by telling the suite how many checks it made
; (the suite compares) and exiting with AH=4Ch.
bits 16
cpu 8086
org 100h
%include "report.inc"

%macro DOS 1                            ; AH
    mov ah, %1
    int 21h
%endmacro

start:
    WAIT_SUITE                          ; SHELL started us before the suite's ports were trapped
    ; ---- the PSP and the registers a .COM starts with
    mov ax, cs
    mov bx, ds
    CHECK_EQ ax, bx, 1
    mov bx, ss
    CHECK_EQ ax, bx, 2
    CHECK_EQ word [0], 20CDh, 3         ; INT 20h at PSP:0
    CHECK_EQ byte [80h], 10, 4          ; the tail " ARG1 ARG2" from [boot] shell=
    CHECK_EQ word [81h], 'A' << 8 | ' ', 5
    CHECK_EQ byte [8Bh], 0Dh, 6
    cmp sp, 0FFFEh
    CHECK_REPORT be, 7                  ; the stack at the top of the segment
    DOS 30h
    CHECK_EQ al, 5, 8                   ; DOS 5.0
    DOS 62h
    mov ax, cs
    CHECK_EQ bx, ax, 9
    ; ---- output
    mov dx, hello
    DOS 09h
    mov dl, '!'
    DOS 02h
    CHECK_EQ al, '!', 10
    ; ---- memory: a .COM owns all of it; shrink, allocate, free; walk the chain
    mov bx, 0FFFFh
    DOS 48h
    CHECK_REPORT c, 11
    CHECK_EQ ax, 8, 12                  ; not enough memory
    mov bx, 1000h                       ; 64 KB: ours
    DOS 4Ah
    CHECK_REPORT nc, 13
    mov bx, 100h
    DOS 48h
    CHECK_REPORT nc, 14
    mov [block], ax
    mov es, ax
    mov word [es:0], 1234h              ; ours to write
    mov ax, es
    dec ax
    mov es, ax
    CHECK_EQ byte [es:0], 'M', 15
    mov ax, cs
    CHECK_EQ word [es:1], ax, 16        ; owned by our PSP
    CHECK_EQ word [es:3], 100h, 17
    call walk
    CHECK_REPORT nc, 18                 ; every block 'M' .. 'Z', up to the end of memory
    mov [free0], ax
    mov es, [block]
    DOS 49h
    CHECK_REPORT nc, 19
    call walk
    sub ax, [free0]
    CHECK_EQ ax, 101h, 20               ; the block and its MCB are free again
    mov ax, cs                          ; not a block: our PSP's second paragraph
    inc ax
    mov es, ax
    DOS 49h
    CHECK_EQ ax, 9, 21                  ; CF and "invalid memory block address"
    ; ---- files: create, write, seek, read back, find, delete
    mov dx, fname
    xor cx, cx
    DOS 3Ch
    CHECK_REPORT nc, 22
    mov [handle], ax
    mov bx, ax
    mov cx, 13
    mov dx, text
    DOS 40h
    CHECK_EQ ax, 13, 23
    mov bx, [handle]
    xor cx, cx
    xor dx, dx
    mov ax, 4200h
    int 21h
    CHECK_EQ ax, 0, 24
    mov bx, [handle]
    mov cx, 100
    mov dx, buf
    DOS 3Fh
    CHECK_EQ ax, 13, 25
    mov si, buf
    mov di, text
    mov cx, 13
    push ds
    pop es
    repe cmpsb
    CHECK_REPORT e, 26
    mov bx, [handle]
    DOS 3Eh
    CHECK_REPORT nc, 27
    mov dx, dta
    DOS 1Ah
    mov dx, fname
    xor cx, cx
    DOS 4Eh
    CHECK_REPORT nc, 28
    CHECK_EQ word [dta + 1Ah], 13, 29   ; its size
    CHECK_EQ word [dta + 1Eh], 'E' << 8 | 'T', 30
    mov dx, fname
    DOS 41h
    CHECK_REPORT nc, 31
    mov dx, fname
    mov ax, 3D00h
    int 21h
    CHECK_REPORT c, 32
    CHECK_EQ ax, 2, 33                  ; file not found
    ; ---- a file of the boot partition: SYSTEM.INI starts with a section
    mov dx, sysini
    mov ax, 3D00h
    int 21h
    CHECK_REPORT nc, 34
    mov bx, ax
    mov cx, 1
    mov dx, buf
    DOS 3Fh
    CHECK_EQ byte [buf], '[', 35
    DOS 3Eh
    ; ---- directories
    mov dx, dname
    DOS 39h
    CHECK_REPORT nc, 36
    DOS 3Bh
    CHECK_REPORT nc, 37
    mov si, buf
    xor dl, dl
    DOS 47h
    CHECK_EQ word [buf], 'U' << 8 | 'S', 38
    mov dx, dotdot
    DOS 3Bh
    mov dx, dname
    DOS 3Ah
    CHECK_REPORT nc, 39
    ; ---- vectors
    mov ax, 2560h
    mov dx, hello
    int 21h
    mov ax, 3560h
    int 21h
    CHECK_EQ bx, hello, 40
    mov ax, es
    mov bx, cs
    CHECK_EQ ax, bx, 41
    ; ---- the date, a device's information, a function DOS here has not
    DOS 2Ah
    cmp cx, 2024
    CHECK_REPORT ae, 42
    mov ax, 4400h
    mov bx, 1
    int 21h
    test dl, 80h
    CHECK_REPORT nz, 43                 ; standard output is a device
    mov ax, 7300h
    int 21h
    CHECK_REPORT c, 44
    ; ---- EXEC a child; its exit code; memory as it was
    call walk
    mov [free0], ax
    mov ax, cs
    mov [pblock + 4], ax
    mov [pblock + 8], ax
    mov [pblock + 12], ax
    call exec_child
    CHECK_REPORT nc, 45
    mov ax, cs                          ; our segments are ours again
    mov bx, ds
    CHECK_EQ ax, bx, 46
    DOS 4Dh
    CHECK_EQ ax, 002Ah, 47              ; normal end, code 42
    call walk
    CHECK_EQ ax, [free0], 48            ; the child's memory (PSP, environment, its block) freed
    ; ---- a bad program, a missing one
    mov dx, bad
    mov bx, pblock
    mov ax, 4B00h
    int 21h
    CHECK_REPORT c, 49
    CHECK_EQ ax, 0Bh, 50                ; bad format
    mov dx, none
    mov ax, 4B00h
    int 21h
    CHECK_EQ ax, 2, 51
    call walk
    CHECK_EQ ax, [free0], 52

    ; ---- Ctrl-C: one waiting in the BIOS's keyboard buffer stops an output call; our INT 23h
    ; runs and, as it returns, the call is made again
    mov ax, 3523h
    int 21h
    mov [old23], bx
    mov [old23 + 2], es
    mov dx, h_iret
    mov ax, 2523h
    int 21h
    PUT_KEY 2E03h                       ; Ctrl-C
    mov dl, 'x'
    DOS 02h
    CHECK_EQ al, 'x', 53                ; made again, with the registers it was made with
    CHECK_EQ word [brks], 1, 54
    xor ax, ax
    mov es, ax
    mov ax, [es:41Ah]
    CHECK_EQ ax, [es:41Ch], 55          ; the key taken out of the buffer
    mov dx, h_retf_nc                   ; RETF with CF clear: the call again too
    mov ax, 2523h
    int 21h
    PUT_KEY 2E03h                       ; Ctrl-C
    mov dx, msg_x
    DOS 09h
    CHECK_EQ al, '$', 56
    CHECK_EQ word [brks], 2, 57
    ; a child whose own handler says stop (RETF, CF set), and one under DOSMGR's default: each
    ; ends, type 1 (Ctrl-C); our handler is ours again; its memory is freed
    mov word [pblock + 2], ctail_brk
    call exec_child
    DOS 4Dh
    CHECK_EQ ax, 0100h, 58
    mov ax, 3523h
    int 21h
    CHECK_EQ bx, h_retf_nc, 59
    push ds
    mov dx, [old23]                     ; DOSMGR's handler for the next child to inherit
    mov ds, [old23 + 2]
    mov ax, 2523h
    int 21h
    pop ds
    mov word [pblock + 2], ctail_def
    call exec_child
    DOS 4Dh
    CHECK_EQ ax, 0100h, 60
    call walk
    CHECK_EQ ax, [free0], 61

    ; ---- FCBs: create, a record written, closed, opened again, read back, the size, deleted
    mov dx, dta
    DOS 1Ah
    mov di, dta                         ; the record: 'written by me', 13 bytes
    mov si, text
    mov cx, 13
    cld
    rep movsb
    mov dx, xfcb
    DOS 16h
    CHECK_EQ al, 0, 62
    mov word [xfcb + 0Eh], 13           ; 13-byte records
    DOS 15h
    CHECK_EQ al, 0, 63
    DOS 10h
    CHECK_EQ al, 0, 64
    mov byte [dta], 0
    mov byte [xfcb + 20h], 0            ; from record 0 again
    DOS 0Fh
    CHECK_EQ al, 0, 65
    CHECK_EQ word [xfcb + 0Eh], 128, 66 ; open: 128-byte records
    CHECK_EQ word [xfcb + 10h], 13, 67  ; the size
    mov word [xfcb + 0Eh], 13
    DOS 14h
    CHECK_EQ al, 0, 68
    CHECK_EQ word [dta], 'w' | 'r' << 8, 69
    DOS 13h
    CHECK_EQ al, 0, 70
    DOS 0Fh
    CHECK_EQ al, 0FFh, 71               ; gone

    mov ax, 71 + 7                      ; the number of checks (CHILD.COM's 7 too), for the suite
    out PORT_EXIT, ax
    mov ax, 4C00h
    int 21h

exec_child:
    mov dx, child
    mov bx, pblock
    push ds
    pop es
    mov ax, 4B00h
    int 21h
    ret

h_iret:
    inc word [cs:brks]
    iret
h_retf_nc:
    inc word [cs:brks]
    clc
    retf

; The MCB chain from the List of Lists: CF clear and AX the free paragraphs if every block is
; 'M' but the last 'Z' and the last ends where the BIOS says memory ends.
walk:
    push es
    push bx
    DOS 52h
    mov ax, [es:bx - 2]
    xor dx, dx
.next:
    mov es, ax
    mov cl, [es:0]
    cmp cl, 'M'
    je .ok
    cmp cl, 'Z'
    jne .bad
.ok:
    cmp word [es:1], 0
    jne .used
    add dx, [es:3]
.used:
    add ax, [es:3]
    inc ax
    cmp cl, 'Z'
    jne .next
    push ax                             ; the end: the BIOS's memory size in paragraphs
    xor ax, ax
    mov es, ax
    mov ax, [es:413h]
    mov cl, 6
    shl ax, cl
    pop cx
    cmp ax, cx
    jne .bad
    mov ax, dx
    clc
    jmp .done
.bad:
    stc
.done:
    pop bx
    pop es
    ret

hello:  db 'Hello from DOSMGR$'
fname:  db 'C:\TEST.TXT', 0
text:   db 'written by me'
sysini: db '\VMM\SYSTEM.INI', 0
dname:  db 'SUBDIR', 0
dotdot: db '..', 0
child:  db 'CHILD.COM', 0
bad:    db 'BAD.EXE', 0
none:   db 'NONE.COM', 0
ctail:  db 4, ' xyz', 0Dh
xfcb:   db 0, 'FCBTEST DAT'
        times 25 db 0
ctail_brk: db 4, ' brk', 0Dh
ctail_def: db 4, ' def', 0Dh
msg_x:  db 'x$'
brks:   dw 0
old23:  dw 0, 0
fcb:    db 0, '           ', 0, 0, 0, 0
pblock: dw 0, ctail, 0, fcb, 0, fcb, 0
block:  dw 0
free0:  dw 0
handle: dw 0
dta:    times 43 db 0
buf:    times 128 db 0
