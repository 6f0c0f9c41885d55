; crashreset.asm: a jump to the reset vector (F000:FFF0), as a program that restarts the PC:
; nothing to boot here yet, so VBIOS ends the VM, saying so.
bits 16
cpu 386
org 0
    sti
    jmp 0F000h:0FFF0h
