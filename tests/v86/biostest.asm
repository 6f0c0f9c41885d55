; biostest.asm: the virtual PC's BIOS (vxd/vbios) as a program sees it: the vectors, the BIOS
; data area, the tables in F000h, and the services of INT 11h, 12h, 14h, 15h, 17h and 1Ah --
; each result checked against what the BDA and a PC say, and the values the suite cannot check
; itself (the RTC's date and time, the E820 map) printed for the boot test to compare with what
; QEMU was given.  Run with A20 off and 640 KB (the suite's defaults).
bits 16
cpu 386
org 0
%include "report.inc"

start:
    push cs
    pop ds
    xor ax, ax
    mov es, ax                          ; ES: the IVT and the BDA (0000:0400)

    ; 1-3: the vectors a PC's BIOS sets, at the IBM PC/AT addresses
    CHECK_EQ dword [es:11h*4], 0F000F84Dh, 1
    CHECK_EQ dword [es:1Ah*4], 0F000FE6Eh, 2
    CHECK_EQ dword [es:08h*4], 0F000FEA5h, 3

    ; 4-6: INT 11h and 12h answer what the BDA holds; 639 KB (640 less the EBDA's 1 KB)
    stc
    int 11h
    CHECK_EQ ax, [es:410h], 4
    int 12h
    CHECK_EQ ax, [es:413h], 5
    CHECK_EQ ax, 639, 6

    ; 7-8: the caller's IF comes back as it was (IRET), and its CF, which INT 12h leaves alone
    sti
    stc
    int 12h
    pushf
    pop ax
    CHECK_BITS ax, 0201h, 0201h, 7
    cli
    int 11h
    pushf
    pop ax
    sti
    CHECK_BITS ax, 0200h, 0, 8

    ; 9: a chained call, as a program that hooked the vector makes it: PUSHF; CALL FAR
    mov bx, [es:410h]
    pushf
    call far [es:11h*4]
    CHECK_EQ ax, bx, 9

    ; 10-13: INT 15h C0h, the configuration table: F000:E6F5, model FCh
    mov ah, 0C0h
    int 15h
    CHECK_REPORT nc, 10
    mov ax, es
    CHECK_EQ ax, 0F000h, 11
    CHECK_EQ bx, 0E6F5h, 12
    CHECK_EQ byte [es:bx+2], 0FCh, 13
    CHECK_EQ byte [es:0FFFEh], 0FCh, 14         ; the model byte
    CHECK_EQ dword [es:0FFF5h], '12/0', 15      ; the date's first half
    xor ax, ax
    mov es, ax

    ; 16-17: extended memory: the HMA's 63 KB (88h, E801h)
    mov ah, 88h
    int 15h
    CHECK_EQ ax, 63, 16
    mov ax, 0E801h
    int 15h
    CHECK_EQ cx, 63, 17

    ; 18-21: the E820 map, printed; four entries, the last with EBX = 0
    push ds
    pop es
    xor ebx, ebx
    xor si, si                          ; entries counted
.e820:
    mov eax, 0E820h
    mov edx, 534D4150h
    mov ecx, 24
    mov di, e820buf
    int 15h
    jc .e820_end
    inc si
    mov di, msg_e820
    call puts
    mov eax, [e820buf]
    call puthex32
    mov al, ' '
    call putc
    mov eax, [e820buf + 8]
    call puthex32
    mov al, ' '
    call putc
    mov eax, [e820buf + 16]
    call puthex32
    mov al, 10
    call putc
    test ebx, ebx
    jnz .e820
.e820_end:
    CHECK_EQ si, 4, 18
    CHECK_EQ dword [e820buf + 16], 1, 19        ; the last: the HMA, usable
    CHECK_EQ dword [e820buf], 100000h, 20
    xor ax, ax
    mov es, ax

    ; 21-24: A20 through INT 15h 24xxh; the HMA is then memory of its own
    mov ax, 2402h
    int 15h
    CHECK_EQ al, 0, 21
    mov ax, 2401h
    int 15h
    CHECK_REPORT nc, 22
    mov ax, 2402h
    int 15h
    CHECK_EQ al, 1, 23
    mov ax, 2400h
    int 15h
    mov ax, 2402h
    int 15h
    CHECK_EQ al, 0, 24

    ; 25-28: a block move (87h) into the HMA and back while A20 is off: the HMA's own memory,
    ; not its wrap onto the first 64 KB (0000:1000 is left as it was)
    mov eax, [es:1000h]
    mov [saved], eax
    push ds
    pop es
    mov ax, cs                          ; this program's pattern -> 101000h
    movzx eax, ax
    shl eax, 4
    add eax, pattern
    mov [gdt + 10h + 2], ax
    shr eax, 16
    mov [gdt + 10h + 4], al
    mov byte [gdt + 10h + 5], 93h
    mov dword [gdt + 18h + 2], 10h << 16 | 1000h   ; base 101000h (the 4th byte: access, below)
    mov byte [gdt + 18h + 5], 93h
    mov si, gdt
    mov cx, 8                           ; 16 bytes
    mov ah, 87h
    int 15h
    CHECK_REPORT nc, 25
    mov eax, [gdt + 10h + 2]            ; and back, into copy
    xchg eax, [gdt + 18h + 2]
    mov [gdt + 10h + 2], eax
    mov ax, cs
    movzx eax, ax
    shl eax, 4
    add eax, copy
    mov [gdt + 18h + 2], ax
    shr eax, 16
    mov [gdt + 18h + 4], al
    mov byte [gdt + 18h + 5], 93h
    mov byte [gdt + 10h + 5], 93h
    mov si, gdt
    mov cx, 8
    mov ah, 87h
    int 15h
    CHECK_REPORT nc, 26
    mov eax, [copy + 12]
    CHECK_EQ eax, [pattern + 12], 27
    xor ax, ax
    mov es, ax
    mov eax, [saved]
    CHECK_EQ [es:1000h], eax, 28

    ; 29-31: the clock: ticks = the BDA's, the RTC's date and time printed
    mov ah, 0
    int 1Ah
    CHECK_EQ cx, [es:46Eh], 29
    mov ah, 4
    int 1Ah
    CHECK_REPORT nc, 30
    mov di, msg_date
    call puts
    mov ax, cx
    call puthex16
    mov ax, dx
    call puthex16
    mov ah, 2
    int 1Ah
    CHECK_REPORT nc, 31
    mov di, msg_time
    call puts
    mov ax, cx
    call puthex16
    mov al, dh
    call puthex8
    mov di, msg_ticks
    call puts
    mov eax, [es:46Ch]
    call puthex32
    mov al, 10
    call putc

    ; 32-33: no serial or parallel port: the time-out status
    mov ah, 3
    xor dx, dx
    int 14h
    CHECK_BITS ax, 8000h, 8000h, 32
    mov ah, 2
    int 17h
    CHECK_EQ ah, 01h, 33

    ; 34-40: INT 16h over the BDA's buffer: empty (ZF set), a key stored with AH=05h, seen by
    ; AH=01h (ZF clear, not taken), read by AH=00h, empty again; AH=02h the shift states
    mov ah, 01h
    int 16h
    CHECK_REPORT z, 34
    mov ah, 05h
    mov cx, 1E61h
    int 16h
    CHECK_EQ al, 0, 35
    mov ah, 01h
    int 16h
    CHECK_REPORT nz, 36
    CHECK_EQ ax, 1E61h, 37
    xor ax, ax
    int 16h
    CHECK_EQ ax, 1E61h, 38
    mov ah, 11h
    int 16h
    CHECK_REPORT z, 39
    mov ah, 02h
    int 16h
    CHECK_EQ al, [es:417h], 40
    EXIT 0

; ---- printing through the suite's character port -----------------------------------------
putc:
    out PORT_CHAR, al
    ret
puts:                                   ; DS:DI, 0-terminated
    mov al, [di]
    test al, al
    jz .done
    call putc
    inc di
    jmp puts
.done:
    ret
puthex32:
    push eax
    shr eax, 16
    call puthex16
    pop eax
puthex16:
    push ax
    mov al, ah
    call puthex8
    pop ax
puthex8:
    push ax
    shr al, 4
    call .digit
    pop ax
.digit:
    and al, 0Fh
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '0' - 10
.out:
    jmp putc

msg_e820:   db 'E820 ', 0
msg_date:   db 'clock: date ', 0
msg_time:   db ' time ', 0
msg_ticks:  db ' ticks ', 0
pattern:    db 'VBIOS block move'
copy:       times 16 db 0
saved:      dd 0
e820buf:    times 24 db 0
gdt:        times 30h db 0
