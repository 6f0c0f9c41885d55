; crashgone.asm: a far call to a V86 call back whose VxD has been unloaded (the suite allocated
; it and purged its procedure): the VM ends, reported; the procedure never runs.
bits 16
cpu 386
org 0
    sti
    mov dx, 0EBh
    in eax, dx                          ; the call back's CS:IP
    mov [cs:target], eax
    call far [cs:target]
    jmp $
target: dd 0
