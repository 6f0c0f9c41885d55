; v86bench.asm: the V86 benchmarks' real-mode side (tests/bench/v86bench.c).  Each figure is
; RDTSC around one operation -- under icount the TSC counts guest instructions, the ring-0 ones
; of the trap path included -- 256 times, less the empty bracket's cost; count, sum, min and max
; go into the table at 0800h, one 16-byte row a figure, which the bench reads from the VM's
; memory.  Port E3h (in) says what to run: 0 the single-VM figures; 1 the VM switch, measured
; against a second VM that runs 2: yields for ever (MOV, INT 2Fh, JMP: two instructions besides
; its INT between its yields).
;   row 0 bracket   1 cli   2 sti   3 int+iret   4 out   5 call back   6 (ring 0: Exec_Int)
;   7 switch: INT 2Fh AX=1680h to the other VM and back (two switches)
;   8 INT 11h: a BIOS service of VBIOS (stub, call back, service, IRET)
;   9 INT 10h AH=0Eh: a character through VBIOS to VDD's teletype (with its MOV AX)
bits 16
cpu 586
org 0
%include "report.inc"
%define N 256
%define TABLE 0800h

%macro MEASURE 2                        ; row, operation (one instruction or a macro's worth)
    mov cx, N
%%loop:
    rdtsc
    mov ebx, eax
    %2
    rdtsc
    sub eax, ebx
    mov bx, %1
    call record
    dec cx
    jnz %%loop
%endmacro

%macro TELETYPE 0
    mov ax, 0E2Eh
    int 10h
%endmacro

%macro DISKREAD 0                       ; INT 13h AH=02h: one sector of drive 80h to 2000:0000
    push cx
    push es
    mov ax, 2000h
    mov es, ax
    xor bx, bx
    mov ax, 0201h
    mov cx, 0001h
    mov dx, 0080h
    int 13h
    pop es
    pop cx
%endmacro

%macro YIELD 0
    mov ax, 1680h
    int 2Fh
%endmacro

start:
    push cs
    pop ds
    xor ax, ax
    mov es, ax
    mov word [es:64h * 4], int64
    mov [es:64h * 4 + 2], cs
    in al, 0E3h
    cmp al, 1
    je switch
    cmp al, 2
    je yielder
    in eax, 0E6h                        ; the bench's call back
    mov [cb], eax
    in eax, 0E7h                        ; and the one that measures Exec_Int (row 6), once
    mov [cb2], eax
    sti
    call far [cs:cb2]
    MEASURE 0, {}
    MEASURE 1, {cli}
    MEASURE 2, {sti}
    MEASURE 3, {int 64h}
    MEASURE 4, {out 0E4h, al}
    MEASURE 5, {call far [cs:cb]}
    MEASURE 8, {int 11h}
    MEASURE 9, TELETYPE
    MEASURE 10, DISKREAD
    EXIT 0

switch:
    sti
    MEASURE 0, {}
    MEASURE 7, YIELD
    EXIT 0

yielder:
    sti
.l: YIELD
    jmp .l

int64:
    iret

; record: the row BX gets the sample EAX: count, sum, min, max (dwords).
record:
    shl bx, 4
    add bx, TABLE
    inc dword [bx]
    add [bx + 4], eax
    cmp dword [bx], 1
    je .first
    cmp eax, [bx + 8]
    jae .notmin
    mov [bx + 8], eax
.notmin:
    cmp eax, [bx + 12]
    jbe .done
    mov [bx + 12], eax
.done:
    ret
.first:
    mov [bx + 8], eax
    mov [bx + 12], eax
    ret

cb: dd 0
cb2: dd 0
