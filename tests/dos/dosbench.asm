; dosbench.asm (DOSBENCH.COM): DOSMGR's benchmarks as a DOS program sees them ([Debug] Bench=1,
; tests/bench/dosbench.c).  Each operation bracketed with RDTSC in V86 mode (under icount: guest
; instructions x 2^shift), count, sum (64 bits), min and max kept in a table at DS:8000h; then OUT E2h with
; DS tells the suite where (it then ends the VM).  With the tail " /X" it only exits: what the EXEC figure runs.
;   row 0  the empty bracket
;   row 1  INT 21h AH=02h, one character to the screen (through the VM's INT 10h teletype)
;   row 2  INT 21h AH=40h, 4 KB to a file
;   row 3  INT 21h AH=3Fh, 4 KB from that file
;   row 4  INT 21h AH=4Bh: EXEC of a small .COM (this one, /X) to its INT 20h and back
;   row 5  COMMAND /C DIR C:\D100: the shell EXECed, a directory of 100 files listed on the
;          screen, back (the directory and files made first, outside the bracket)
bits 16
cpu 586
org 100h

TABLE   equ 8000h
ROW     equ 20                          ; n, sum (2), min, max: dwords

%macro MEASURE 2                        ; row, the operation (a macro-local label's code)
    rdtsc
    mov [t0], eax
    %2
    rdtsc
    sub eax, [t0]
    mov bx, TABLE + %1 * ROW
    call account
%endmacro

start:
    cmp word [82h], '/' | 'X' << 8
    jne bench
    int 20h
bench:
    mov bx, 1000h                       ; 64 KB are ours; the rest is for the EXECs
    mov ah, 4Ah
    int 21h
    mov di, TABLE
    mov cx, 6 * ROW / 2
    xor ax, ax
    rep stosw
    mov cx, 6
    mov bx, TABLE + 12
.min:
    mov dword [bx], 0FFFFFFFFh
    add bx, ROW
    loop .min
    mov cx, 100
.r0:
    push cx
    MEASURE 0, {nop}
    pop cx
    loop .r0
    mov cx, 200
.r1:
    push cx
    MEASURE 1, {call putc}
    pop cx
    loop .r1
    mov dx, fname
    xor cx, cx
    mov ah, 3Ch
    int 21h
    mov [handle], ax
    mov cx, 20
.r2:
    push cx
    MEASURE 2, {call write4k}
    pop cx
    loop .r2
    mov cx, 20
.r3:
    push cx
    xor cx, cx
    xor dx, dx
    mov bx, [handle]
    mov ax, 4200h                       ; from the start each time (outside the bracket)
    int 21h
    MEASURE 3, {call read4k}
    pop cx
    loop .r3
    mov bx, [handle]
    mov ah, 3Eh
    int 21h
    mov ax, cs
    mov [pblock + 4], ax
    mov [pblock + 8], ax
    mov [pblock + 12], ax
    mov cx, 20
.r4:
    push cx
    MEASURE 4, {call exec}
    pop cx
    loop .r4
    mov dx, dname                       ; C:\D100 and its 100 files, F00.TXT .. F99.TXT
    mov ah, 39h
    int 21h
    mov cx, 100
.mk:
    push cx
    mov dx, fnum
    xor cx, cx
    mov ah, 3Ch
    int 21h
    mov bx, ax
    mov ah, 3Eh
    int 21h
    inc byte [fnum + 10]                ; the units digit, then the tens
    cmp byte [fnum + 10], '9'
    jbe .next
    mov byte [fnum + 10], '0'
    inc byte [fnum + 9]
.next:
    pop cx
    loop .mk
    mov word [pblock + 2], dirtail
    mov cx, 5
.r5:
    push cx
    MEASURE 5, {call dir100}
    pop cx
    loop .r5
    mov ax, ds
    out 0E2h, ax                        ; the suite reads the table, then ends this VM
.wait:
    sti
    hlt
    jmp .wait

putc:
    mov dl, '.'
    mov ah, 2
    int 21h
    ret
write4k:
    mov bx, [handle]
    mov cx, 4096
    mov dx, buf
    mov ah, 40h
    int 21h
    ret
read4k:
    mov bx, [handle]
    mov cx, 4096
    mov dx, buf
    mov ah, 3Fh
    int 21h
    ret
dir100:
    mov dx, shell
    jmp exec.run
exec:
    mov dx, self
.run:
    mov bx, pblock
    push ds
    pop es
    mov ax, 4B00h
    int 21h
    ret

; EAX: a measurement into the row at BX
account:
    inc dword [bx]
    add [bx + 4], eax
    adc dword [bx + 8], 0
    cmp eax, [bx + 12]
    jae .nomin
    mov [bx + 12], eax
.nomin:
    cmp eax, [bx + 16]
    jbe .nomax
    mov [bx + 16], eax
.nomax:
    ret

t0:     dd 0
handle: dw 0
fname:  db 'C:\BENCH.DAT', 0
self:   db 'C:\DOSBENCH.COM', 0
tail:   db 3, ' /X', 0Dh
shell:  db 'C:\BENCH\COMMAND.COM', 0
dirtail: db 15, ' /C DIR C:\D100', 0Dh
dname:  db 'C:\D100', 0
fnum:   db 'C:\D100\F00.TXT', 0
fcb:    db 0, '           ', 0, 0, 0, 0
pblock: dw 0, tail, 0, fcb, 0, fcb, 0
buf:    times 4096 db 'b'
