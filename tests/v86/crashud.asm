; crashud.asm: an invalid opcode with no handler of its own: the VM ends, reported.
bits 16
cpu 386
org 0
    sti
    mov ax, 1234h
    ud2
    jmp $
