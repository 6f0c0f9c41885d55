; crashrom.asm: a write into the BIOS (F000:0000, mapped read-only in every VM, shared by all):
; the VM ends, reported; the image the other VMs see is unchanged (the suite checks).
bits 16
cpu 386
org 0
    sti
    mov ax, 0F000h
    mov ds, ax
    mov byte [0], 0CCh
    jmp $
