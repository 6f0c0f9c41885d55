; vint.asm: a virtual IRQ 10 (vector 72h) the suite requests for this VM, through the VM's
; virtual PIC (VPICD): masked as the BIOS leaves it until the program unmasks it, held in the
; slave's IRR while the virtual IF is clear, delivered once it is set, in service until the
; program's EOIs (slave, then master); and HLT waits (no CPU) until the next.
bits 16
cpu 386
org 0
%include "report.inc"

start:
    xor ax, ax
    mov es, ax
    mov word [es:72h * 4], irq10
    mov [es:72h * 4 + 2], cs
    in al, 0A1h
    CHECK_EQ al, 0FFh, 1                ; the slave's IRQs masked, as a PC's BIOS leaves them
    and al, ~04h                        ; unmask IRQ 10
    out 0A1h, al
    cli
    out 0E8h, al                        ; the suite: VPICD_Set_Int_Request(IRQ 10, this VM)
    mov cx, 2000
.spin:
    loop .spin
    CHECK_EQ word [cs:count], 0, 2      ; held: interrupts are off
    mov al, 0Ah                         ; OCW3: read the IRR
    out 0A0h, al
    in al, 0A0h
    CHECK_EQ al, 04h, 3                 ; the slave holds the request
    out 20h, al
    in al, 20h
    CHECK_EQ al, 04h, 4                 ; the master sees it on its cascade input
    sti                                 ; delivered on the way back from the STI
    nop
    CHECK_EQ word [cs:count], 1, 5
    CHECK_EQ byte [cs:isr_seen], 04h, 6 ; the slave's ISR in the handler: IRQ 10
    in al, 21h                          ; the master's other lines masked (IRQ 0, VTD's 18.2 Hz,
    or al, ~04h                         ; would end the HLT before the 50 ms are up)
    out 21h, al
    out 0E9h, al                        ; the suite: the same in 50 ms
    hlt                                 ; waits for it
    CHECK_EQ word [cs:count], 2, 7
    EXIT 0

irq10:
    push ax
    inc word [cs:count]
    mov al, 0Bh                         ; OCW3: read the ISR
    out 0A0h, al
    in al, 0A0h
    mov [cs:isr_seen], al
    mov al, 20h                         ; non-specific EOIs: the slave, then the master
    out 0A0h, al
    out 20h, al
    pop ax
    iret
count: dw 0
isr_seen: db 0
