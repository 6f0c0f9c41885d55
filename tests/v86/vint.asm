; vint.asm: a virtual IRQ 10 (vector 72h) the suite requests for this VM is held while the
; virtual IF is clear and delivered once it is set; and HLT waits (no CPU) until the next.
bits 16
cpu 386
org 0
%include "report.inc"

start:
    xor ax, ax
    mov es, ax
    mov word [es:72h * 4], irq10
    mov [es:72h * 4 + 2], cs
    cli
    out 0E8h, al                        ; the suite: VPICD_Set_Int_Request(IRQ 10, this VM)
    mov cx, 2000
.spin:
    loop .spin
    CHECK_EQ word [cs:count], 0, 1      ; held: interrupts are off
    sti                                 ; delivered on the way back from the STI
    nop
    CHECK_EQ word [cs:count], 1, 2
    out 0E9h, al                        ; the suite: the same in 50 ms
    hlt                                 ; waits for it
    CHECK_EQ word [cs:count], 2, 3
    EXIT 0

irq10:
    inc word [cs:count]
    iret
count: dw 0
