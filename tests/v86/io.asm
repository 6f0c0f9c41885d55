; io.asm: trapped port I/O of bytes, words and dwords, and INS/OUTS with and without REP, against
; the suite's two devices (tests/guest/v86test.c):
;   300h-301h  a byte-only FIFO: each byte written is recorded; each read gives the next of
;              40h, 41h, ...; a word or dword access is split by Simulate_IO into bytes
;   304h       a 32-bit register: reads give what was last written, at any size
bits 16
cpu 386
org 0
%include "report.inc"

start:
    mov dx, 304h
    mov eax, 12345678h
    out dx, eax                         ; a dword out
    xor eax, eax
    in eax, dx
    CHECK_EQ eax, 12345678h, 1
    mov ax, 0ABCDh                      ; a word out: the register's low half
    out dx, ax
    in ax, dx
    CHECK_EQ ax, 0ABCDh, 2
    in al, dx
    CHECK_EQ al, 0CDh, 3

    mov dx, 300h                        ; the FIFO, a byte at a time
    mov al, 22h
    out dx, al                          ; recorded 22h
    mov ax, 4433h                       ; a word: 33h to 300h, 44h to 301h
    out dx, ax
    in al, dx                           ; 40h
    CHECK_EQ al, 40h, 4
    in ax, dx                           ; two bytes: 41h from 300h, 42h from 301h
    CHECK_EQ ax, 4241h, 5

    push cs                             ; OUTSB, REP: 4 bytes from DS:SI
    pop ds
    mov si, outdata
    mov cx, 4
    cld
    rep outsb                           ; recorded 55h 66h 77h 88h
    CHECK_EQ cx, 0, 6
    CHECK_EQ si, outdata + 4, 7
    mov si, outdata + 3                 ; backwards, DF set: 88h 77h
    mov cx, 2
    std
    rep outsb
    cld
    CHECK_EQ si, outdata + 1, 8

    push cs                             ; INSB, REP: 3 bytes into ES:DI
    pop es
    mov di, indata
    mov cx, 3
    rep insb                            ; 43h 44h 45h
    CHECK_EQ byte [indata], 43h, 9
    CHECK_EQ byte [indata + 2], 45h, 10
    CHECK_EQ di, indata + 3, 11
    mov dx, 304h                        ; INSD, OUTSW on the register
    mov di, indata
    mov dword [indata], 0
    mov eax, 0CAFEF00Dh
    out dx, eax
    insd
    CHECK_EQ dword [indata], 0CAFEF00Dh, 12
    mov si, outdata
    outsw                               ; 6655h into the register
    in eax, dx
    CHECK_EQ eax, 0CAFE6655h, 13        ; a word out keeps the high half (the device's rule)
    mov cx, 0                           ; REP with CX 0: nothing
    mov si, outdata
    mov dx, 300h
    rep outsb
    CHECK_EQ si, outdata, 14
    EXIT 0

outdata: db 55h, 66h, 77h, 88h
indata:  times 8 db 0
