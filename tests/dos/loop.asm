; loop.asm (LOOP.COM): prints "looping" and its command tail, then a dot every 100 ms through
; INT 21h AH=02h, for ever -- until a Ctrl-C ends it (the dos-break scenario).
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
.again:
    mov dl, '.'
    mov ah, 02h
    int 21h
    mov cx, 1                           ; INT 15h AH=86h: wait CX:DX = 100,000 us
    mov dx, 86A0h
    mov ah, 86h
    int 15h
    jmp .again

msg:    db 'looping$'
