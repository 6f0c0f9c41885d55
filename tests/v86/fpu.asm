; fpu.asm: the FPU is the VM's own.  Two VMs run this at once; each loads its VM ID into ST0,
; then 500 times yields to the other (INT 2Fh AX=1680h), which in between does FNINIT and loads
; its own ID, and finds its ID still in ST0 -- and its control word as it set it.
bits 16
cpu 386
org 0
%include "report.inc"

start:
    push cs
    pop ds
    mov ax, 1683h
    int 2Fh                             ; BX: this VM's ID
    mov [id], bx
    fninit
    fnstcw [cw]
    and word [cw], ~0C00h
    or word [cw], 0400h                 ; rounding down: a setting of this VM's
    fldcw [cw]
    fild word [id]
    mov cx, 500
    mov byte [bad], 0
.again:
    mov ax, 1680h
    int 2Fh                             ; the other VM runs: FNINIT, its own ID
    fld st0
    fistp word [got]
    mov ax, [got]
    cmp ax, [id]
    je .same
    mov byte [bad], 1
.same:
    fnstcw [cw2]
    mov ax, [cw2]
    cmp ax, [cw]
    je .cw_same
    mov byte [bad], 1
.cw_same:
    loop .again
    cmp byte [bad], 0
    CHECK_REPORT e, 1                   ; ST0 and the control word were this VM's every time
    fistp word [got]
    fnstsw ax
    and ax, 3800h                       ; TOP: back to 0, the stack empty
    CHECK_EQ ax, 0, 2
    EXIT 0

id:     dw 0
got:    dw 0
cw:     dw 0
cw2:    dw 0
bad:    db 0
