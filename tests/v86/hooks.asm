; hooks.asm: INT 61h through the suite's two Hook_V86_Int_Chain hooks (the last installed runs
; first; each notes its turn), consumed by one for AX=1, passed on by both for AX=2 and then
; reflected through this program's IVT entry; and INT 2Fh's Windows API.
bits 16
cpu 386
org 0
%include "report.inc"

start:
    xor ax, ax
    mov es, ax
    mov word [es:61h * 4], int61
    mov [es:61h * 4 + 2], cs
    mov ax, 1                           ; consumed by the second hook: BX = 1111h
    mov bx, 0
    int 61h
    CHECK_EQ bx, 1111h, 1
    mov ax, 2                           ; passed on by both: the program's handler, BX = 2222h
    mov bx, 0
    int 61h
    CHECK_EQ bx, 2222h, 2

    mov ax, 1600h                       ; enhanced-mode Windows 4.00
    int 2Fh
    CHECK_EQ ax, 0004h, 3
    mov ax, 1683h                       ; the VM's ID: the suite checks it against the VM's
    int 2Fh
    mov ax, bx
    out 0E5h, ax
    mov ax, 1680h                       ; release the time slice: AL 0
    int 2Fh
    CHECK_EQ al, 0, 4
    mov ax, 1684h                       ; the V86 API of device 3F00h (SAMPLE): an entry point
    mov bx, 3F00h
    xor di, di
    mov es, di
    int 2Fh
    mov ax, es
    or ax, di
    CHECK_REPORT nz, 5
    mov [api], di
    mov [api + 2], es
    mov ah, 1                           ; SAMPLE's API, AH 1: AX = BX + CX
    mov bx, 30
    mov cx, 12
    call far [cs:api]
    CHECK_EQ ax, 42, 6
    mov ax, 1684h                       ; a device without one: 0:0
    mov bx, 0005h
    int 2Fh
    mov ax, es
    or ax, di
    CHECK_REPORT z, 7
    EXIT 0

int61:
    mov bx, 2222h
    iret
api: dd 0
