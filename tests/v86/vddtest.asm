; vddtest.asm: the virtual display (vxd/vdd) as a program sees it: INT 10h in text mode 3 --
; set mode, teletype, cursor, write string, scroll, read back, the queries -- and the CRTC's
; ports.  The suite then reads the screen back from the VM's video memory (B8000h) and checks
; the rows and attributes the calls below must have left:
;   row 0   "Hello, VDD"                    (teletype, attribute 07h)
;   row 2   "attr" in 1Eh at column 10      (INT 10h AH=13h with one attribute)
;   row 3   "AB" with 4Fh, 2Fh               (AH=13h with pairs)
;   row 5   "direct" in 0Ah                  (written straight into B8000h, as programs do:
;                                             the display sees it by the page's dirty bit)
;   row 24  "bottom"                         (AH=02h, AH=09h with 70h six times ... )
bits 16
cpu 386
org 0
%include "report.inc"

start:
    push cs
    pop ds
    push cs
    pop es
    xor ax, ax
    mov fs, ax                          ; FS: the BDA (0000:0400)

    mov ax, 0003h                       ; 1: mode 3, cleared
    int 10h
    CHECK_EQ byte [fs:449h], 3, 1
    mov si, hello                       ; 2-3: teletype, the cursor after it
    call print
    mov ah, 3
    mov bh, 0
    int 10h
    CHECK_EQ dx, 000Ah, 2
    CHECK_EQ word [fs:450h], 000Ah, 3

    mov ax, 1301h                       ; 4: AH=13h, one attribute, the cursor moves
    mov bx, 001Eh
    mov cx, 4
    mov dx, 020Ah
    mov bp, attr
    int 10h
    CHECK_EQ word [fs:450h], 020Eh, 4
    mov ax, 1302h                       ; 5: pairs, the cursor stays
    mov bx, 0
    mov cx, 2
    mov dx, 0300h
    mov bp, pairs
    int 10h
    CHECK_EQ word [fs:450h], 020Eh, 5

    mov ah, 2                           ; 6: AH=08h reads back what AH=13h wrote
    mov bh, 0
    mov dx, 020Bh
    int 10h
    mov ah, 8
    int 10h
    CHECK_EQ ax, 1E74h, 6               ; 't' in 1Eh

    mov ah, 0Fh                         ; 7-8: the mode, columns, page
    int 10h
    CHECK_EQ ax, 5003h, 7
    CHECK_EQ bh, 0, 8
    mov ax, 1A00h                       ; 9: a VGA with a colour display
    int 10h
    CHECK_EQ bl, 08h, 9

    ; 10: a line written at row 23 and scrolled up one line inside rows 22-23 moves to row 22
    mov ah, 2
    mov bh, 0
    mov dx, 1700h
    int 10h
    mov si, scrolled
    call print
    mov ax, 0601h
    mov bh, 07h
    mov cx, 1600h
    mov dx, 174Fh
    int 10h
    mov ah, 2
    mov bh, 0
    mov dx, 1600h
    int 10h
    mov ah, 8
    int 10h
    CHECK_EQ al, 's', 10

    ; 11: AH=09h writes a character and attribute CX times without moving the cursor
    mov ah, 2
    mov bh, 0
    mov dx, 1800h
    int 10h
    mov ax, 0920h
    mov bx, 0070h
    mov cx, 6
    int 10h
    mov si, bottom
    call print_keep_attr
    CHECK_EQ word [fs:450h], 1806h, 11

    ; 12-13: the CRTC's cursor registers, written through the ports, move the BDA's cursor
    mov dx, 3D4h
    mov al, 0Eh
    out dx, al
    inc dx
    mov al, 01h
    out dx, al
    dec dx
    mov al, 0Fh
    out dx, al
    inc dx
    mov al, 0E0h                        ; 1E0h = row 6, column 0
    out dx, al
    CHECK_EQ word [fs:450h], 0600h, 12
    in al, dx
    CHECK_EQ al, 0E0h, 13

    ; 14: 3DAh's retrace bit changes from one read to the next (a wait loop ends)
    mov dx, 3DAh
    in al, dx
    mov ah, al
    in al, dx
    xor al, ah
    CHECK_BITS ax, 0008h, 0008h, 14

    ; 15: the cursor back where the suite expects it: row 1, column 0
    mov ah, 2
    mov bh, 0
    mov dx, 0100h
    int 10h
    CHECK_EQ word [fs:450h], 0100h, 15

    ; 16-19: AX=1130h: the 8x16 font at F000:A000, 16 lines, 25 rows; 'A' drawn in it, and in
    ; the 8x8 font at F000:FA6E
    push bp
    push es
    mov ax, 1130h
    mov bh, 06h
    int 10h
    CHECK_EQ bp, 0A000h, 16
    CHECK_EQ cx, 16, 17
    CHECK_EQ dl, 24, 18
    mov eax, [es:bp + 41h * 16 + 4]     ; the middle of 'A': not blank
    or eax, [es:0FA6Eh + 41h * 8]
    test eax, eax
    CHECK_REPORT nz, 19
    pop es
    pop bp

    push es                             ; row 5: no INT 10h, the video memory itself
    mov ax, 0B800h
    mov es, ax
    mov di, 5 * 160
    mov si, direct
    mov ah, 0Ah
.direct:
    lodsb
    test al, al
    jz .written
    stosw
    jmp .direct
.written:
    pop es
    EXIT 0

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
print_keep_attr equ print

hello:      db 'Hello, VDD', 0
attr:       db 'attr'
pairs:      db 'A', 4Fh, 'B', 2Fh
scrolled:   db 'scrolled', 0
bottom:     db 'bottom', 0
direct:     db 'direct', 0
