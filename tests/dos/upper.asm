; upper.asm (UPPER.COM): a filter for the shell's tests -- standard input to standard output in
; upper case, a byte at a time through handles 0 and 1 (so a pipe or a redirection feeds it);
; its exit code is the number of letters it changed.
bits 16
cpu 8086
org 100h

start:
    xor si, si                          ; letters changed
.next:
    mov ah, 3Fh
    xor bx, bx
    mov cx, 1
    mov dx, ch_
    int 21h
    jc .end
    test ax, ax
    jz .end
    mov al, [ch_]
    cmp al, 1Ah                         ; ^Z: the end of CON's input
    je .end
    cmp al, 'a'
    jb .out
    cmp al, 'z'
    ja .out
    sub al, 20h
    mov [ch_], al
    inc si
.out:
    mov ah, 40h
    mov bx, 1
    mov cx, 1
    mov dx, ch_
    int 21h
    jmp .next
.end:
    mov ax, si
    mov ah, 4Ch
    int 21h

ch_: db 0
