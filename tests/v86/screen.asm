; screen.asm: one program for two PCs, to compare their video BIOS.  A boot sector that QEMU's
; own PC BIOS (SeaBIOS and its VGA BIOS: -machine pc, a floppy) boots, and a program the suite
; runs in a V86 VM at the same address (0000:7C00) on VBIOS and VDD.  It draws through INT 10h
; only -- teletype with CR, LF, BS, a line wrapping at column 80 and the screen scrolling,
; AH=02h, 09h, 0Ah, 13h (both kinds), 06h and 07h windows -- then says it is done (port E9h, the
; debug console, for the harness under SeaBIOS; port E2h for the suite) and halts.  The harness
; compares the two text screens, cell by cell, and the cursor (boot test v86test-q35-default).
bits 16
cpu 386
org 7C00h

    jmp 0:start
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 7C00h
    sti
    mov ax, 0003h
    int 10h
    mov si, lines                       ; rows 0-3: teletype
    call print
    mov dx, 0A1Eh                       ; row 10, column 30: AH=09h, five X in 1Fh
    call goto
    mov ax, 0958h
    mov bx, 001Fh
    mov cx, 5
    int 10h
    mov dx, 0B1Eh                       ; row 11: AH=0Ah, three '-' (attributes kept)
    call goto
    mov ax, 0A2Dh
    mov bx, 0
    mov cx, 3
    int 10h
    mov ax, 1301h                       ; row 12, column 5: one attribute, the cursor moves
    mov bx, 002Eh
    mov cx, thirteen_len
    mov dx, 0C05h
    mov bp, thirteen
    int 10h
    mov ax, 1302h                       ; row 13: pairs, the cursor stays
    mov bx, 0
    mov cx, 3
    mov dx, 0D00h
    mov bp, pairs
    int 10h
    mov ax, 0601h                       ; rows 10-13, columns 0-40 up one, blanks in 4Fh
    mov bh, 4Fh
    mov cx, 0A00h
    mov dx, 0D28h
    int 10h
    mov dx, 0F3Ch                       ; rows 15-16 at column 60, then down two in 60-79
    call goto
    mov si, window
    call print
    mov ax, 0702h
    mov bh, 1Ah
    mov cx, 0F3Ch
    mov dx, 144Fh
    int 10h
    mov dx, 1800h                       ; the last row: two lines, the screen scrolls once
    call goto
    mov si, last
    call print
    mov dx, 1405h                       ; the cursor left at row 20, column 5
    call goto
    mov al, 'D'
    out 0E9h, al                        ; done: the debug console (SeaBIOS's harness)
    xor ax, ax
    out 0E2h, ax                        ; done: the suite (exit code 0)
.halt:
    sti
    hlt
    jmp .halt

goto:                                   ; the cursor of page 0 to DH, DL
    mov ah, 2
    mov bh, 0
    int 10h
    ret
print:                                  ; DS:SI, 0-terminated, through teletype
    lodsb
    test al, al
    jz .done
    mov ah, 0Eh
    mov bx, 0007h
    int 10h
    jmp print
.done:
    ret

lines:      db 'VMM32 and SeaBIOS draw the same screen', 13, 10
            db 'a backspace: ab', 8, 'c', 13, 10
            db 'this line is longer than the eighty columns of the screen, so it wraps '
            db 'to the next row', 13, 10, 0
thirteen:   db 'AH=13h'
thirteen_len equ $ - thirteen
pairs:      db 'p', 70h, 'q', 07h, 'r', 0Ch
window:     db 'window one', 13, 10, 0
last:       db 'last row', 13, 10, 'after the scroll', 0

    times 510 - ($ - $$) db 0
    dw 0AA55h
