; kbd.asm: the keyboard (VKD, and VBIOS's INT 09h/16h) as a program sees it.  It says "ready",
; then reads keys with INT 16h AH=10h -- waiting in the BIOS's HLT while none comes -- and prints
; each key word and the shift states, until Esc; Ctrl+Break, a 0000h key, must have called its
; INT 1Bh once.  The harness types the keys: on COM1 (a
; terminal's bytes and escape sequences) and on the PC's keyboard (QEMU's sendkey).
bits 16
cpu 386
org 0
%include "report.inc"

start:
    push cs
    pop ds
    xor ax, ax                          ; INT 1Bh (Ctrl+Break): counted
    mov es, ax
    mov word [es:1Bh * 4], ctrl_break
    mov [es:1Bh * 4 + 2], cs
    mov ah, 01h
    int 16h
    CHECK_REPORT z, 1                   ; nothing typed yet
    mov di, msg_ready
    call puts
    xor si, si                          ; keys read
.next:
    mov ah, 10h
    int 16h                             ; waits for a key
    inc si
    mov bx, ax
    mov di, msg_key
    call puts
    mov ax, bx
    call puthex16
    mov al, 10
    call putc
    cmp bx, 011Bh
    jne .next
    mov ah, 11h
    int 16h
    CHECK_REPORT z, 2                   ; Esc was the last
    cmp si, 2
    CHECK_REPORT ae, 3
    cmp word [breaks], 1                ; Ctrl+Break called INT 1Bh once (its key: 0000h)
    CHECK_REPORT e, 4
    EXIT 0

ctrl_break:
    inc word [cs:breaks]
    iret
breaks: dw 0

msg_ready: db 'ready', 10, 0
msg_key:   db 'key ', 0

putc:
    out PORT_CHAR, al
    ret
puts:
    mov al, [di]
    test al, al
    jz .done
    call putc
    inc di
    jmp puts
.done:
    ret
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
