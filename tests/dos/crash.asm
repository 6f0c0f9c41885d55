; crash.asm (CRASH.COM): a DOS program that crashes as its command tail says -- UD an invalid
; opcode, DE a divide by zero with no handler of its own, CLI a spin with interrupts off, IVT a
; write over its own interrupt vectors and then INT 21h (a jump into garbage).  Each must end
; only its VM, with the console naming the fault and the program (the dos-crash scenarios).
bits 16
cpu 386
org 100h

start:
    mov ax, [82h]                       ; the tail: " UD" ...
    cmp ax, 'U' | 'D' << 8
    je ud
    cmp ax, 'D' | 'E' << 8
    je de
    cmp ax, 'C' | 'L' << 8
    je spin
    cmp ax, 'I' | 'V' << 8
    je ivt
    mov ax, 4C01h                       ; no such crash: exit 1
    int 21h
ud:
    ud2
de:
    xor dx, dx
    xor ax, ax
    xor cx, cx
    div cx
spin:
    cli
    jmp spin
ivt:
    xor ax, ax
    mov es, ax
    xor di, di
    mov cx, 200h
    mov ax, 0FFFFh
    rep stosw                           ; every vector: FFFF:FFFF
    mov ah, 30h
    int 21h                             ; ... into FFFF:FFFF: the HMA, not code
    jmp ivt
