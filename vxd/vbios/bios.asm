; bios.asm: the BIOS image every V86 VM sees at F000:0000-FFFF (nasm -f bin, 64 KB), read-only
; and shared.  It holds what a PC's BIOS ROM holds for real-mode code -- the service entry points
; at the IBM PC/AT addresses programs know, the tables, the model byte, the date and the reset
; vector -- but the services themselves run in VxDs: each service entry jumps to a stub
;
;     call far 0000:0000      ; patched by VBIOS with a V86 call back (Allocate_V86_Call_Back)
;     iret
;
; so that a program that hooks a vector and chains to the old one (PUSHF; CALL FAR) reaches the
; VxD through the same address as an INT does.  The call back returns the service's CF, ZF ...
; in the FLAGS image the INT pushed; the IRET then restores the caller's IF with them.
;
; The directory at F000:0000 tells VBIOS what to do with each entry: 'VBIOS' 0, a count, then
; per entry: the vector, its kind, the entry point (the vector's offset) and the stub to patch.
;   K_CALL  a service in a VxD: the vector -> entry, the stub patched with a call back
;   K_CODE  real-mode code of its own (INT 08h ...): the vector -> entry
;   K_DATA  a table (INT 1Eh, 41h, 46h): the vector -> the table
;   K_RESET the reset path (F000:FFF0 -> E05B): a call back, no vector
;   K_HOOK  real-mode code of its own that calls a VxD's handler on the way (INT 09h: the scan
;           code to VKD): the vector -> entry, the stub (call far; ret) patched with a call back
; Nothing here may be written by a VM (the pages are mapped read-only).
bits 16
cpu 386
org 0

K_CALL  equ 0
K_CODE  equ 1
K_DATA  equ 2
K_RESET equ 3
EBDA_POLL_TICK equ 30h                  ; INT 16h's idle detection (EBDA: VBIOS's own bytes)
EBDA_POLLS     equ 32h
POLL_IDLE      equ 16                   ; looks finding nothing in one tick: the VM is idle
K_HOOK  equ 4

%macro DIR 4                    ; vector, kind, entry, stub
    db %1, %2
    dw %3, %4
%endmacro

%macro STUB 1
%1: call 0:0
    iret
%endmacro

directory:
    db 'VBIOS', 0
    dw (dir_end - dir_start) / 6
dir_start:
    DIR 10h, K_CALL, e_int10, s_int10
    DIR 11h, K_CALL, e_int11, s_int11
    DIR 12h, K_CALL, e_int12, s_int12
    DIR 13h, K_CALL, e_int13, s_int13
    DIR 14h, K_CALL, e_int14, s_int14
    DIR 15h, K_CALL, e_int15, s_int15
    DIR 16h, K_CODE, e_int16, 0
    DIR 17h, K_CALL, e_int17, s_int17
    DIR 18h, K_CALL, s_int18, s_int18
    DIR 19h, K_CALL, e_int19, s_int19
    DIR 1Ah, K_CALL, e_int1a, s_int1a
    DIR 00h, K_RESET, e_post, s_reset
    DIR 08h, K_CODE, e_int08, 0
    DIR 09h, K_HOOK, e_int09, s_kbd
    DIR 1Ch, K_CODE, dummy_iret, 0
    DIR 1Bh, K_CODE, dummy_iret, 0      ; Ctrl+Break: nothing until a program (or DOS) hooks it
    DIR 02h, K_CODE, dummy_iret, 0      ; NMI: nothing to report here (a PC's checks parity)
    DIR 75h, K_CODE, int75, 0           ; IRQ 13: the FPU's error
    DIR 1Eh, K_DATA, diskette_params, 0
    DIR 1Fh, K_DATA, font8x8_high, 0
    DIR 43h, K_DATA, font8x8, 0
    DIR 41h, K_DATA, fdpt0, 0
    DIR 46h, K_DATA, fdpt1, 0
dir_end:

    align 16
STUB s_int10
STUB s_int11
STUB s_int12
STUB s_int13
STUB s_int14
STUB s_int15
STUB s_int17
STUB s_int18
STUB s_int19
STUB s_int1a
STUB s_reset
s_kbd:  call 0:0                        ; INT 09h's call of VKD (a near call here, a far one on)
        ret

; INT 75h (IRQ 13: the FPU's error; in a VM the VMM's #MF, which a PC turns into IRQ 13 through
; FERR#): as a PC/AT's BIOS -- port F0h (the FPU's busy latch cleared: here VBIOS clears the
; error, so that the instruction goes on when no handler of the program does), the EOI to both
; 8259s, then INT 02h, where programs look for FPU errors.
int75:
    push ax
    xor al, al
    out 0F0h, al
    mov al, 20h
    out 0A0h, al
    out 20h, al
    pop ax
    int 02h
    iret

; INT 08h (IRQ 0, 18.2 times a second): the tick count at 40:6C, the midnight flag at 40:70
; when it reaches a day (1800B0h ticks), INT 1Ch, then the EOI -- as on a PC.
int08:
    push ds
    push ax
    mov ax, 40h
    mov ds, ax
    add word [6Ch], 1
    adc word [6Eh], 0
    cmp word [6Eh], 18h
    jne .tick
    cmp word [6Ch], 0B0h
    jne .tick
    xor ax, ax
    mov [6Ch], ax
    mov [6Eh], ax
    mov byte [70h], 1
.tick:
    int 1Ch
    mov al, 20h
    out 20h, al
    pop ax
    pop ds
    iret

; INT 09h (IRQ 1): the scan code from port 60h, through the keyboard intercept (INT 15h
; AH=4Fh: CF clear means consumed), to the keyboard's VxD, which keeps the shift states and the
; buffer in the BDA as a PC's BIOS does; then the EOI -- and for Ctrl+Break (the VxD's CF), as
; the AT's BIOS, INT 1Bh after the EOI.
int09:
    push ax
    in al, 60h
    mov ah, 4Fh
    stc
    int 15h
    jnc .eoi
    call s_kbd
    jnc .eoi
    cli
    mov al, 20h
    out 20h, al
    int 1Bh                             ; Ctrl+Break: the program's handler, or the BIOS's IRET
    pop ax
    iret
.eoi:
    cli
    mov al, 20h
    out 20h, al
    pop ax
    iret

; INT 16h: the keyboard buffer in the BDA (head 40:1A, tail 40:1C, start 40:80, end 40:82),
; filled by INT 09h.  00h/10h read a key, waiting for one in HLT (the VM's thread then waits,
; using no CPU, until an interrupt); 01h/11h look (ZF set: none) -- and a program that only
; polls is idle: past POLL_IDLE looks that found nothing within one timer tick (a game polls a
; few times a tick, a program waiting for a key thousands), each such look waits in HLT for the
; next interrupt (the tick or a key) and looks again, so a VM polling for a key uses almost no
; CPU (the count and its tick in the EBDA); 02h/12h the shift states;
; 05h store CX (AL 1: full); 03h (typematic) accepted.  00h and 01h give the PC/XT's codes for
; the 101-key keyboard's own keys (E0h characters as 00h; the keypad's Enter and / as the main
; ones).
int16:
    sti
    push bp
    mov bp, sp                          ; [bp+6]: the caller's FLAGS
    push ds
    push bx
    push ax                             ; [bp-5]: the function
    mov bx, 40h
    mov ds, bx
    cmp ah, 00h
    je .read
    cmp ah, 10h
    je .read
    cmp ah, 01h
    je .peek
    cmp ah, 11h
    je .peek
    cmp ah, 02h
    je .shift
    cmp ah, 12h
    je .xshift
    cmp ah, 05h
    je .store
    pop ax                              ; 03h and the rest: nothing
    jmp .out
.read:
    cli
    mov bx, [1Ah]
    cmp bx, [1Ch]
    jne .take
    sti
    hlt                                 ; no key: wait for an interrupt (a key, a tick)
    jmp .read
.take:
    mov ax, [bx]
    add bx, 2
    cmp bx, [82h]
    jb .next
    mov bx, [80h]
.next:
    mov [1Ah], bx
    sti
    cmp byte [bp-5], 10h
    je .key
    call compat
.key:
    add sp, 2
    jmp .out
.peek:
    cli
    mov bx, [1Ah]
    cmp bx, [1Ch]
    je .none
    mov ax, [bx]
    sti
    cmp byte [bp-5], 11h
    je .some
    call compat
.some:
    and word [bp+6], ~40h               ; ZF clear: a key, in AX
    add sp, 2
    jmp .out
.none:
    sti
    push es
    mov es, [0Eh]                       ; the EBDA: the looks that found nothing this tick
    mov bx, [6Ch]
    cmp bx, [es:EBDA_POLL_TICK]
    je .count
    mov [es:EBDA_POLL_TICK], bx
    mov word [es:EBDA_POLLS], 0
.count:
    inc word [es:EBDA_POLLS]
    cmp word [es:EBDA_POLLS], POLL_IDLE
    pop es
    jb .nothing
    hlt                                 ; idle: wait for the tick or a key, then look again
    jmp .peek
.nothing:
    or word [bp+6], 40h                 ; ZF set: none
    pop ax
    jmp .out
.shift:
    mov bl, [17h]
    pop ax
    mov al, bl
    jmp .out
.xshift:
    mov bl, [18h]
    and bl, 73h                         ; left Ctrl, left Alt, the locks held
    mov bh, [96h]
    and bh, 0Ch                         ; right Ctrl, right Alt
    or bl, bh
    mov bh, [18h]
    and bh, 04h                         ; SysReq held: bit 7
    shl bh, 5
    or bl, bh
    pop ax
    mov ah, bl
    mov al, [17h]
    jmp .out
.store:
    cli
    mov bx, [1Ch]
    mov ax, bx
    add ax, 2
    cmp ax, [82h]
    jb .room
    mov ax, [80h]
.room:
    cmp ax, [1Ah]
    je .full
    mov [bx], cx
    mov [1Ch], ax
    mov bl, 0
    jmp .stored
.full:
    mov bl, 1
.stored:
    sti
    pop ax
    mov al, bl
.out:
    pop bx
    pop ds
    pop bp
    iret

; AH=00h/01h: a 101-key keyboard's key word as the PC/XT's functions give it.
compat:
    cmp ah, 0E0h
    jne .grey
    mov ah, 1Ch                         ; the keypad's Enter (E00Dh, E00Ah) and / (E02Fh)
    cmp al, 2Fh
    jne .done
    mov ah, 35h
    ret
.grey:
    cmp al, 0E0h
    jne .done
    test ah, ah
    jz .done
    mov al, 0                           ; a grey key: xxE0h -> xx00h
.done:
    ret

; ---- the IBM PC/AT entry points and tables, at their addresses ------------------------------
%macro AT 1
    times (%1) - ($ - $$) db 0
%endmacro

    AT 0A000h                           ; the fonts (include/vmm/vbios.h), filled by VBIOS
font8x16:   times 256 * 16 db 0
    AT 0B000h
font8x14:   times 256 * 14 db 0
    AT 0BE00h
font8x8_high: times 128 * 8 db 0
    AT 0C200h
no_alt:     db 0, 0                     ; the 9-dot alternates' list: empty

    AT 0E05Bh
e_post:     jmp s_reset                 ; the reset vector's target: no POST in a VM
    AT 0E3FEh
e_int13:    jmp s_int13
    AT 0E401h                           ; the fixed-disk parameter tables (INT 41h, 46h):
fdpt0:      times 16 db 0               ; no fixed disk yet
fdpt1:      times 16 db 0
    AT 0E6F2h
e_int19:    jmp s_int19
    AT 0E6F5h                           ; the configuration table (INT 15h AH=C0h)
config:     dw 8                        ; its length
            db 0FCh, 01h, 00h           ; model AT, submodel, BIOS revision
            db 70h                      ; a second 8259, an RTC, INT 9 calls INT 15h AH=4Fh
            db 0, 0, 0, 0
    AT 0E739h
e_int14:    jmp s_int14
    AT 0E82Eh
e_int16:    jmp int16
    AT 0E987h
e_int09:    jmp int09
    AT 0EC59h
e_int13f:   jmp s_int13                 ; the diskette entry: the same service
    AT 0EFC7h                           ; the diskette parameter table (INT 1Eh): 1.44 MB
diskette_params:
            db 0DFh, 02h, 25h, 02h, 18, 1Bh, 0FFh, 6Ch, 0F6h, 0Fh, 08h
    AT 0EFD2h
e_int17:    jmp s_int17
    AT 0F065h
e_int10:    jmp s_int10
    AT 0F841h
e_int12:    jmp s_int12
    AT 0F84Dh
e_int11:    jmp s_int11
    AT 0F859h
e_int15:    jmp s_int15
    AT 0FA6Eh                           ; the 8x8 font's first half, at the PC's address
font8x8:    times 128 * 8 db 0
    AT 0FE6Eh
e_int1a:    jmp s_int1a
    AT 0FEA5h
e_int08:    jmp int08
    AT 0FF53h
dummy_iret: iret
    AT 0FFF0h
reset:      jmp 0F000h:e_post
    AT 0FFF5h
            db '12/04/26'               ; the BIOS date
    AT 0FFFEh
            db 0FCh                     ; the model byte: AT
            db 0
