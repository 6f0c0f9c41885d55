; keybench.asm: the key bench's real-mode side (tests/bench/keybench.c).  It waits for keys in
; INT 16h AH=00h -- its VM's thread blocked in VBIOS, as a program waiting at a prompt -- and at
; each return reads the TSC at once and leaves it, with the key and a count, where the bench
; reads them (the VM's memory at 1000:0004).  It never prints: COM1 is looped back while a key
; is measured, and any byte sent would come back as a key.
bits 16
cpu 586
org 0
    jmp short start
    align 4
count:  dd 0                            ; 1000:0004  keys read
key:    dd 0                            ; 1000:0008  the last key word (AX of INT 16h)
tsc:    dd 0, 0                         ; 1000:000C  the TSC right after its return
start:
    push cs
    pop ds
.next:
    xor ah, ah
    int 16h
    mov bx, ax
    rdtsc
    mov [tsc], eax
    mov [tsc + 4], edx
    mov [key], bx
    inc dword [count]
    jmp .next
