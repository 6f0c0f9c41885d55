; a20.asm: the HMA wraps onto the first 64 KB while A20 is off (FFFF:0020 is 0000:0010) and is
; memory of its own once the suite turns A20 on (port 0EAh: AL = 1 on, 0 off).
bits 16
cpu 386
org 0
%include "report.inc"

start:
    xor ax, ax
    mov ds, ax
    mov ax, 0FFFFh
    mov es, ax
    mov byte [ds:0010h], 5Ah
    CHECK_EQ byte [es:0020h], 5Ah, 1    ; A20 off: the same byte
    mov byte [es:0020h], 0A5h
    CHECK_EQ byte [ds:0010h], 0A5h, 2
    mov al, 1
    out 0EAh, al                        ; A20 on
    mov byte [es:0020h], 11h
    CHECK_EQ byte [ds:0010h], 0A5h, 3   ; now its own
    CHECK_EQ byte [es:0020h], 11h, 4
    mov al, 0
    out 0EAh, al                        ; off again: the wrap is back, the HMA kept
    CHECK_EQ byte [es:0020h], 0A5h, 5
    mov al, 1
    out 0EAh, al
    CHECK_EQ byte [es:0020h], 11h, 6
    EXIT 0
