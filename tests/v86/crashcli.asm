; crashcli.asm: a spin with interrupts disabled: after 5 s the VM ends, reported.
bits 16
org 0
    cli
    jmp $
