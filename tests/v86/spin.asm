; spin.asm: counts for ever with interrupts on (the suite reads the counter at 1000:0100).
bits 16
cpu 386
org 0
    sti
.l: inc dword [cs:100h]
    jmp .l
