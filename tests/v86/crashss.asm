; crashss.asm: a stack with no room for an interrupt frame: SP 3 (odd, below 6: the frame would
; wrap across offset FFFFh of SS, where a CPU in real mode shuts down), then INT 60h.  The VM
; ends, reported.
bits 16
cpu 386
org 0
    sti
    mov sp, 3
    int 60h
    jmp $
