; loop.asm (LOOP.COM): prints "looping" and its command tail, then a dot every 100 ms through
; INT 21h AH=02h, for ever -- until a Ctrl-C ends it (the dos-break scenario).  With the tail
; " /SPIN": after that line it only counts, for ever, with no call at all -- a program busy in
; the background (the dos-bg scenario measures the CPU it gets); " /POLL": it only polls the
; keyboard, INT 16h AH=01h, for ever (taking a key that comes) -- a program waiting for a key
; without asking to wait (dos-bg: VBIOS finds it idle); " /BUSY": it spins for 8 s by the BIOS's
; tick count (40:6Ch, read, no call) reading no key, prints "busy done" and ends -- keys typed
; meanwhile must wait for the shell (dos-typeahead).
bits 16
cpu 8086
org 100h

start:
    mov dx, msg
    mov ah, 09h
    int 21h
    mov bl, [80h]                       ; the tail, up to its CR
    xor bh, bh
    mov byte [81h + bx], '$'
    mov dx, 81h
    mov ah, 09h
    int 21h
    cmp word [82h], '/' | 'S' << 8
    je .count
    cmp word [82h], '/' | 'P' << 8
    je .poll
    cmp word [82h], '/' | 'B' << 8
    je .busy
.again:
    mov dl, '.'
    mov ah, 02h
    int 21h
    mov cx, 1                           ; INT 15h AH=86h: wait CX:DX = 100,000 us
    mov dx, 86A0h
    mov ah, 86h
    int 15h
    jmp .again
.count:
    add word [count], 1
    adc word [count + 2], 0
    jmp .count
.poll:
    mov ah, 01h
    int 16h
    jz .poll
    mov ah, 00h
    int 16h
    jmp .poll

.busy:
    xor ax, ax
    mov es, ax
    mov bx, [es:46Ch]
.spin:
    mov ax, [es:46Ch]
    sub ax, bx
    cmp ax, 146                         ; 146 ticks of 18.2 Hz: 8 s
    jb .spin
    mov dx, done
    mov ah, 09h
    int 21h
    mov ax, 4C00h
    int 21h

msg:    db 'looping$'
done:   db 13, 10, 'busy done', 13, 10, '$'
count:  dd 0
