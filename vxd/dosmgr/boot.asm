; boot.asm: the first code of a VM DOSMGR starts (DOSMGR_Start_VM), at 00C0:0000 (DOS_BOOT_SEG),
; running as the VM's root process (PSP 0070h).  DOSMGR patches the program's path and command
; tail in; this EXECs it, and when it ends, ends the root process with its exit code -- which
; ends the VM.  If the EXEC fails, DOSMGR has said why on the console; the code is then FFh.
bits 16
cpu 8086
org 0

start:
    mov ax, cs
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, stack_top
    mov [pblock.tail_seg], ax
    mov [pblock.fcb1_seg], ax
    mov [pblock.fcb2_seg], ax
    mov dx, path
    mov bx, pblock
    mov ax, 4B00h
    int 21h
    mov al, 0FFh
    jc .end
    mov ah, 4Dh
    int 21h
.end:
    mov ah, 4Ch
    int 21h
    cli                                 ; not reached: the root's end ends the VM
    hlt
    jmp .end

    align 2
pblock:
    dw 0                                ; the environment: the root's
    dw tail
.tail_seg: dw 0
    dw fcb
.fcb1_seg: dw 0
    dw fcb
.fcb2_seg: dw 0

fcb: db 0, '           ', 0, 0, 0, 0

    times 80h - ($ - $$) db 0
tail:                                   ; at 80h: length, text, CR (DOSMGR writes it)
    db 0, 0Dh
    times 100h - ($ - $$) db 0
path:                                   ; at 100h: the program's path, ASCIIZ (DOSMGR writes it)
    times 180h - ($ - $$) db 0
    times 400h - ($ - $$) db 0
stack_top:
