; chkout.asm (CHKOUT.COM): compares OUT.TXT, what the shell's test batch file wrote, with
; EXPECT.TXT line by line, each line a check for the in-guest suite (report.inc: a differing
; line is also printed, as OUT.TXT has it); then one check that both end together, and the
; number of checks made as its exit report.
bits 16
cpu 8086
org 100h
%include "report.inc"

start:
    WAIT_SUITE
    mov dx, out_name
    mov di, out_buf
    call load
    mov [out_len], ax
    mov dx, exp_name
    mov di, exp_buf
    call load
    mov [exp_len], ax
    mov si, out_buf                     ; SI: OUT.TXT, BX: EXPECT.TXT
    mov bx, exp_buf
    xor dx, dx                          ; lines compared
.line:
    mov ax, exp_buf
    add ax, [exp_len]
    cmp bx, ax
    jae .done
    inc dx
    push si                             ; the line's start in OUT.TXT, for the message
    xor bp, bp                          ; 0: the same so far
.ch:
    mov al, [bx]
    inc bx
    cmp al, 0Ah
    je .eol
    cmp al, 0Dh
    je .ch
    call out_ch
    cmp al, ah
    je .ch
    mov bp, 1
    jmp .ch
.eol:
    call out_ch                         ; OUT.TXT's line must end here too
    cmp ah, 0Ah
    je .cmp
    mov bp, 1
.skip:                                  ; the rest of OUT.TXT's line
    cmp ah, 0Ah
    je .cmp
    cmp ah, 0FFh
    je .cmp
    call out_ch
    jmp .skip
.cmp:
    pop di
    test bp, bp
    jnz .bad
    mov ax, dx
    out PORT_CHECK, ax
    jmp .line
.bad:
    mov ax, dx
    or ax, 8000h
    out PORT_CHECK, ax
.say:                                   ; OUT.TXT's line, to the suite's console
    mov ax, out_buf
    add ax, [out_len]
    cmp di, ax
    jae .said
    mov al, [di]
    inc di
    cmp al, 0Dh
    je .say
    cmp al, 0Ah
    je .said
    out PORT_CHAR, al
    jmp .say
.said:
    mov al, 0Ah
    out PORT_CHAR, al
    jmp .line
.done:
    inc dx                              ; and OUT.TXT has no more lines
    mov ax, out_buf
    add ax, [out_len]
    cmp si, ax
    mov ax, dx
    jae .end_ok
    or ax, 8000h
.end_ok:
    out PORT_CHECK, ax
    mov ax, dx
    out PORT_EXIT, ax
    mov ax, 4C00h
    int 21h

; the next byte of OUT.TXT (CR skipped) in AH; FFh at its end
out_ch:
    mov cx, out_buf
    add cx, [out_len]
.again:
    cmp si, cx
    jae .eof
    mov ah, [si]
    inc si
    cmp ah, 0Dh
    je .again
    ret
.eof:
    mov ah, 0FFh
    ret

; the file named at DX into DI (at most 4 KB); AX its length (0 if it cannot be read)
load:
    mov ax, 3D00h
    int 21h
    jc .none
    mov bx, ax
    mov ah, 3Fh
    mov cx, 4096
    mov dx, di
    int 21h
    jnc .got
    xor ax, ax
.got:
    push ax
    mov ah, 3Eh
    int 21h
    pop ax
    ret
.none:
    xor ax, ax
    ret

out_name: db 'OUT.TXT', 0
exp_name: db 'EXPECT.TXT', 0
out_len: dw 0
exp_len: dw 0
out_buf: times 4096 db 0
exp_buf: times 4096 db 0
