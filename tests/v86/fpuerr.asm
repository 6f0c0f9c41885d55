; fpuerr.asm: an FPU error (a divide by zero with its exception unmasked) as a PC gives it: IRQ
; 13, INT 75h, whose BIOS handler clears the error (port F0h) and calls INT 02h -- not the
; CPU's vector 16, INT 10h.  Without a handler of its own the program goes on; with one on INT
; 02h, it is called once.
bits 16
cpu 386
org 0
%include "report.inc"

start:
    push cs
    pop ds
    call divide_by_zero                 ; 1: no handler: the BIOS's clears the error
    fnstsw ax
    test ax, 0084h                      ; ZE and ES cleared
    CHECK_REPORT z, 1
    xor ax, ax                          ; 2: its own INT 02h handler, called once
    mov es, ax
    mov word [es:2 * 4], nmi
    mov [es:2 * 4 + 2], cs
    call divide_by_zero
    CHECK_EQ word [count], 1, 2
    EXIT 0

divide_by_zero:
    fninit
    fnstcw [cw]
    and word [cw], ~0004h               ; ZM clear: a divide by zero is an error
    fldcw [cw]
    fld1
    fldz
    fdivp st1, st0                      ; the error, pending
    fwait                               ; #MF here: INT 75h, then this again
    fstp st0
    ret

nmi:
    inc word [cs:count]
    iret

cw:     dw 0
count:  dw 0
