; timer.asm: the virtual PC's PIC (VPICD) and timer (VTD) as a program sees them -- the BIOS's
; 18.2 Hz tick counting 40:6Ch through its INT 08h, the 8259 as the BIOS left it, channel 0
; reprogrammed to 1 kHz under a handler of the program's own, the latch and read-back commands,
; a masked IRQ 0 held in the IRR, channel 2 gated through port 61h, the BIOS rate restored.
; Port EBh marks instants for the suite, which times them (the 1 kHz run must take ~100 ms).
bits 16
cpu 386
org 0
%include "report.inc"

MARK equ 0EBh

start:
    push cs
    pop ds
    xor ax, ax
    mov es, ax                          ; ES: the IVT and the BDA

    ; 1: the master's mask as the BIOS left it: IRQ 0, 1 and the cascade open
    in al, 21h
    CHECK_EQ al, 0F8h, 1

    ; 2: the BIOS's tick moves 40:6Ch: five ticks, waited for in HLT and timed by the suite
    sti
    hlt                                 ; in step with the tick
    mov al, 3
    out MARK, al
    mov ebx, [es:46Ch]
.five:
    hlt
    mov eax, [es:46Ch]
    sub eax, ebx
    cmp eax, 5
    jb .five
    mov al, 4
    out MARK, al
    CHECK_EQ dword [es:08h * 4], 0F000FEA5h, 2  ; the BIOS's INT 08h counted them

    ; 3-4: channel 0 at 1 kHz (mode 2, 1193) under our own INT 08h: 100 of them, timed
    cli
    mov eax, [es:08h * 4]
    mov [old08], eax
    mov word [es:08h * 4], irq0
    mov [es:08h * 4 + 2], cs
    mov al, 34h
    out 43h, al
    mov al, 0A9h
    out 40h, al
    mov al, 04h
    out 40h, al
    mov ebx, [es:46Ch]
    mov al, 1
    out MARK, al                        ; the suite: the 1 kHz run starts
    sti
.hundred:
    hlt
    cmp word [ticks], 100
    jb .hundred
    mov al, 2
    out MARK, al                        ; ... and ends
    ; 100, or 101: at 1 kHz on the VMM's 1 kHz tick VTD's time-outs (1 ms deadlines) often
    ; find two edges due, and the second, owed, is raised at the first one's EOI: the pair comes
    ; back to back between two looks at the count, which may so step from 99 to 101
    mov ax, [ticks]
    sub ax, 100
    cmp ax, 1
    CHECK_REPORT be, 3
    CHECK_EQ dword [es:46Ch], ebx, 4          ; our handler does not chain: the BIOS's count stood

    ; 5-6: the counter latch: a count of the period, falling
    cli
    mov al, 00h
    out 43h, al
    in al, 40h
    mov ah, al
    in al, 40h
    xchg al, ah
    mov si, ax
    test si, si
    CHECK_REPORT nz, 5                  ; not zero (mode 2 reads 1..1193)
    cmp si, 1193
    CHECK_REPORT be, 6

    ; 7: the read-back command: channel 0's status -- LSB/MSB, mode 2, binary
    mov al, 0E2h
    out 43h, al
    in al, 40h
    and al, 3Fh
    CHECK_EQ al, 34h, 7

    ; 8-10: IRQ 0 masked: the request waits in the IRR, taken once unmasked
    mov al, 0F9h
    out 21h, al
    mov cx, [ticks]
    sti
    mov dx, 0
.masked:                                ; ~10 ms: the refresh bit of port 61h toggles each 15 us
    in al, 61h
    and al, 10h
    cmp al, ah
    je .masked
    mov ah, al
    inc dx
    cmp dx, 700
    jb .masked
    CHECK_EQ word [ticks], cx, 8             ; none taken while masked
    cli
    mov al, 0Ah
    out 20h, al
    in al, 20h
    test al, 01h
    CHECK_REPORT nz, 9                  ; IRR: IRQ 0 requested
    mov al, 0F8h
    out 21h, al
    sti
    nop
    cli
    mov ax, cx
    inc ax
    cmp [ticks], ax
    CHECK_REPORT ae, 10                 ; taken at once

    ; 11-12: channel 2, gated by port 61h: mode 0 with 256 counts ends, OUT2 high
    mov al, 0B0h
    out 43h, al
    mov al, 0
    out 42h, al
    mov al, 1
    out 42h, al
    in al, 61h
    CHECK_BITS ax, 0020h, 0, 11         ; OUT2 low: counting not begun (the gate is off)
    mov al, 01h
    out 61h, al
    mov cx, 10000
.out2:
    in al, 61h
    test al, 20h
    loopz .out2
    CHECK_REPORT nz, 12

    ; 13-14: the BIOS's rate and INT 08h back: 40:6Ch moves again, at 18.2 Hz
    mov al, 00h
    out 61h, al
    mov al, 36h
    out 43h, al
    mov al, 0
    out 40h, al
    out 40h, al
    mov eax, [old08]
    mov [es:08h * 4], eax
    mov ebx, [es:46Ch]
    sti
    hlt
    hlt
    mov eax, [es:46Ch]
    sub eax, ebx
    cmp eax, 2
    CHECK_REPORT ae, 13                 ; at least one a HLT: IRQ 0 is all that wakes us
    mov eax, [es:08h * 4]
    CHECK_EQ eax, 0F000FEA5h, 14
    EXIT 0

irq0:
    push ax
    inc word [cs:ticks]
    mov al, 20h
    out 20h, al
    pop ax
    iret

old08:  dd 0
ticks:  dw 0
