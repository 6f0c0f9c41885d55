; exc.asm: exceptions V86 code raises, delivered through this program's own IVT entries as a
; real-mode CPU delivers them: #DE (INT 0), #UD (INT 6), #BR (INT 5); and an ARPL that is no
; break point (INT 6 too).
bits 16
cpu 386
org 0
%include "report.inc"

start:
    xor ax, ax
    mov es, ax
    mov word [es:00h * 4], int00
    mov [es:00h * 4 + 2], cs
    mov word [es:06h * 4], int06
    mov [es:06h * 4 + 2], cs
    mov word [es:05h * 4], int05
    mov [es:05h * 4 + 2], cs
    xor si, si
    mov ax, 1234h
    xor dx, dx
    xor cx, cx
    div cx                              ; #DE: the handler steps over (2 bytes)
    CHECK_EQ si, 1, 1
    ud2                                 ; #UD: the handler steps over (2 bytes)
    CHECK_EQ si, 2, 2
    mov ax, 5
    bound ax, [bounds]                  ; #BR: 5 is outside 1..4; the handler steps over (4)
    CHECK_EQ si, 3, 3
    arpl [bounds], ax                   ; an ARPL nobody put there: #UD (4 bytes)
    CHECK_EQ si, 4, 4
    EXIT 0

int00:                                  ; each: count, then step IP over the instruction
    inc si
    push bp
    mov bp, sp
    add word [bp + 2], 2
    pop bp
    iret
int06:
    inc si
    push bp
    mov bp, sp
    push bx
    mov bx, [bp + 2]                    ; the faulting IP: ARPL (63h) is 4 bytes, UD2 2
    cmp byte [cs:bx], 63h
    pop bx
    je .arpl
    add word [bp + 2], 2
    pop bp
    iret
.arpl:
    add word [bp + 2], 4
    pop bp
    iret
int05:
    inc si
    push bp
    mov bp, sp
    add word [bp + 2], 4
    pop bp
    iret
bounds: dw 1, 4
