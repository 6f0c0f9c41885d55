; crashpg.asm: a stack in adapter space nothing mapped (A000:xxxx): the VM ends, reported.
bits 16
cpu 386
org 0
    sti
    mov ax, 0A000h
    mov ss, ax
    mov sp, 100h
    push ax
    jmp $
