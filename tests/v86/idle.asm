; idle.asm: waits for ever in HLT with interrupts on: it should take no CPU.
bits 16
org 0
    sti
.l: hlt
    jmp .l
