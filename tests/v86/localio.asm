; localio.asm: reads port 0EDh 50 times, giving up its time slice after each (INT 2Fh
; AX=1680h) so that the other VM running it takes turns; exits with the last byte read.  The
; suite traps 0EDh everywhere but lets it through in one of the two VMs (Disable_Local_Trapping):
; its handler must see 50 reads from the one VM and none from the other.  Half-way, just
; before a read, each VM writes port 0EEh, whose handler sets EDh's global trapping again
; (Enable_Global_Trapping) while that VM is current: the VM that lets EDh through must still.
bits 16
cpu 386
org 0
%include "report.inc"
    sti
    mov cx, 50
.read:
    cmp cx, 25
    jne .in
    out 0EEh, al                    ; then at once, in the same turn, the read
.in:
    in al, 0EDh
    mov bl, al
    mov ax, 1680h
    int 2Fh
    loop .read
    xor bh, bh
    EXIT bx
