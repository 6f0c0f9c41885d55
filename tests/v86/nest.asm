; nest.asm: a far call into the suite's V86 call back, which runs this program's INT 62h handler
; nested (Begin_Nest_V86_Exec, Exec_Int, End_Nest_Exec, around Save/Restore_Client_State); and a
; break point the suite installs where this program asks, which steps over it.
bits 16
cpu 386
org 0
%include "report.inc"

start:
    xor ax, ax
    mov es, ax
    mov word [es:62h * 4], int62
    mov [es:62h * 4 + 2], cs
    in eax, 0E6h                        ; the suite's call back: seg:off
    mov [cb], eax
    mov cx, 7
    call far [cs:cb]
    CHECK_EQ word [count], 1, 1         ; the handler ran, nested in the call back
    CHECK_EQ cx, 7, 2                   ; and the client state was restored around it
    CHECK_EQ dx, 0BEEFh, 3              ; what the call back set afterwards
    mov ax, here                        ; a break point at CS:here, please
    out 0E7h, ax
here:
    nop                                 ; the break point covers these two bytes; its
    nop                                 ; procedure sets SI, steps IP over them, removes it
    CHECK_EQ si, 5151h, 4
    EXIT 0

int62:
    inc word [cs:count]
    mov cx, 99
    iret
cb:    dd 0
count: dw 0
