; child.asm (CHILD.COM): what DOSTEST.COM EXECs.  Checks its own PSP (the parent's PSP as its
; parent, the command tail it was given, a memory block of its own), allocates memory it does
; not free (DOS frees it at the end), prints its tail on standard output and exits with 42.
bits 16
cpu 8086
org 100h
%include "report.inc"

start:
    cmp word [82h], 'b' | 'r' << 8     ; " brk": our INT 23h ends us; " def": DOSMGR's does
    je brk
    cmp word [82h], 'd' | 'e' << 8
    je def
    mov ah, 62h
    int 21h
    mov ax, cs
    CHECK_EQ bx, ax, 101                ; AH=62h: our PSP is where we run
    mov es, [16h]                       ; the parent's PSP: a PSP
    CHECK_EQ word [es:0], 20CDh, 102
    CHECK_EQ byte [80h], 4, 103         ; the tail " xyz"
    CHECK_EQ word [81h], 'x' << 8 | ' ', 104
    push cs                             ; a .COM has all memory: shrink, then allocate
    pop es
    mov bx, 100h
    mov ah, 4Ah
    int 21h
    CHECK_REPORT nc, 105
    mov bx, 10h
    mov ah, 48h
    int 21h
    CHECK_REPORT nc, 106                ; kept: the end of the program frees it
    mov ah, 40h                         ; the tail to standard output
    mov bx, 1
    mov cx, 4
    mov dx, 81h
    int 21h
    CHECK_EQ ax, 4, 107
    mov ax, 4C2Ah                       ; exit code 42
    int 21h


brk:
    mov dx, h_stop
    mov ax, 2523h
    int 21h
def:
    PUT_KEY 2E03h                       ; a Ctrl-C waiting, then output: we end
    mov dl, '#'
    mov ah, 02h
    int 21h
    mov ax, 4C63h                       ; not reached: exit code 99 (the parent checks)
    int 21h
h_stop:
    stc
    retf
