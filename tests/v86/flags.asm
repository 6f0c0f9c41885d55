; flags.asm: the virtual interrupt flag, as CLI, STI, PUSHF, POPF, INT n and IRET see it, and
; INT n through the program's own IVT entries.  Loaded at 1000:0000 and started there.
bits 16
cpu 386
org 0
%include "report.inc"

start:
    cli
    pushf
    pop ax
    CHECK_BITS ax, 0200h, 0, 1          ; CLI: IF clear
    CHECK_BITS ax, 3000h, 3000h, 2      ; the VM sees IOPL 3
    sti
    pushf
    pop ax
    CHECK_BITS ax, 0200h, 0200h, 3      ; STI: IF set
    push word 0002h                     ; POPF with IF clear
    popf
    pushf
    pop ax
    CHECK_BITS ax, 0200h, 0, 4
    push word 0202h                     ; POPF with IF set
    popf
    pushf
    pop ax
    CHECK_BITS ax, 0200h, 0200h, 5
    pushfd                              ; 32-bit forms
    pop eax
    CHECK_BITS ax, 0200h, 0200h, 6
    test eax, 20000h                    ; never the VM bit
    CHECK_REPORT z, 7
    push dword 00000002h
    popfd
    pushf
    pop ax
    CHECK_BITS ax, 0200h, 0, 8
    sti

    xor ax, ax                          ; INT 60h through its own IVT entry
    mov es, ax
    mov word [es:60h * 4], int60
    mov [es:60h * 4 + 2], cs
    mov bx, 5
    int 60h
    CHECK_EQ bx, 6, 9                   ; the handler ran
    CHECK_BITS cx, 0200h, 0, 10         ; with IF clear (an interrupt gate)
    pushf
    pop ax
    CHECK_BITS ax, 0200h, 0200h, 11     ; IRET put IF back

    cli                                 ; INT from IF clear returns to IF clear
    int 60h
    pushf
    pop ax
    CHECK_BITS ax, 0200h, 0, 12
    sti

    mov word [es:03h * 4], int03        ; INT3 and INTO go through the IVT too
    mov [es:03h * 4 + 2], cs
    mov word [es:04h * 4], int04
    mov [es:04h * 4 + 2], cs
    xor dx, dx
    int3
    CHECK_EQ dx, 3, 13
    mov al, 7Fh                         ; OF set: INTO traps
    add al, 1
    into
    CHECK_EQ dx, 4, 14
    xor al, al                          ; OF clear: INTO does nothing
    into
    CHECK_EQ dx, 4, 15
    EXIT 0

int60:
    inc bx
    pushf
    pop cx
    iret
int03:
    mov dx, 3
    iret
int04:
    mov dx, 4
    iret
