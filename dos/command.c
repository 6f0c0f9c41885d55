/*
 * COMMAND.COM: the command shell of VMM32's DOS (the role of MS-DOS's), a real-mode program of
 * the project's own, built with bcc -ansi -Md (Debian's package bcc) into esp/COMMAND.COM --
 * drive C:'s C:\COMMAND.COM, the COMSPEC every VM's environment names.
 *
 *   COMMAND            a prompt; commands from the keyboard (or from a file: COMMAND < FILE)
 *   COMMAND /P         the same, running C:\AUTOEXEC.BAT first if there is one
 *   COMMAND /C line    runs one line and exits with its ERRORLEVEL (what system() needs)
 *
 * Internal commands: DIR CD/CHDIR MD/MKDIR RD/RMDIR DEL/ERASE REN/RENAME COPY TYPE CLS ECHO SET
 * PATH PROMPT VER MEM REM PAUSE EXIT START (a new VM: DOSMGR's V86 API), and in batch files
 * GOTO IF SHIFT CALL.  Anything else is a
 * program: NAME, NAME.COM, NAME.EXE or NAME.BAT in the current directory, then in each PATH
 * directory.  Redirection < > >> and pipes | (through temporary files, as DOS's).  Batch files:
 * %0-%9, %VAR%, %%, labels and GOTO, IF [NOT] EXIST / ERRORLEVEL n / a==b, SHIFT, CALL, ECHO OFF,
 * @ before a line.
 *
 * bcc -ansi turns prototypes into old-style declarations: arguments are not converted, so a
 * function taking an unsigned long (outnum) must be given one -- cast at the call.
 *
 * It talks to DOS only through INT 21h (and INT 10h for CLS), through int21() below; no C
 * library function does I/O.  It keeps itself small (its memory block shrunk to its code, data
 * and a 7 KB stack at start) so that programs get the rest of the 640 KB.
 */

#define STACK_SIZE  7168
#define LINE_MAX    130
#define ENV_SIZE    1024

struct regs { unsigned ax, bx, cx, dx, si, di, ds, es, flags; };

int int21(struct regs *r);
int int21es(struct regs *r);
int int10(struct regs *r);
unsigned peekw(unsigned seg, unsigned off);
unsigned char peekb(unsigned seg, unsigned off);
void pokeb(unsigned seg, unsigned off, unsigned char v);
unsigned getds(void);
int dosmgr_api(unsigned ax, char *line);
unsigned api_ptr[2];                            /* DOSMGR's V86 API: offset, segment */
void shell(void);
void prompt_loop(void);
void brk_install(void);
char stack[STACK_SIZE];
char ctrlc, child_running, at_prompt;           /* Ctrl-C came; a program runs; at the prompt */

#asm
export _main
_main:
    mov sp, #_stack+STACK_SIZE
    call _shell
hang:
    jmp hang

; INT 23h, Ctrl-C (DOS runs it with the registers of the call it abandoned): while a program
; runs, that program ends (RETF with CF set, as the default handler does); at the prompt, a new
; prompt (the line typed is dropped; the stack starts afresh, as in COMMAND.COM); else
; ctrlc is set and the call goes on (IRET: DOS makes it again) -- a batch file asks, TYPE stops.
; (Our data is not in the code segment: its segment is kept in the code, at brk_ds.)
brk_ds:
    .word 0
brk_handler:
    push ds
    push ax
    seg cs
    mov ax, [brk_ds]
    mov ds, ax
    mov al, [_child_running]
    or al, al
    jnz brk_child
    mov al, #1
    mov [_ctrlc], al
    mov al, [_at_prompt]
    or al, al
    jnz brk_prompt
    pop ax
    pop ds
    iret
brk_child:
    pop ax
    pop ds
    stc
    retf
brk_prompt:
    mov ax, ds
    mov es, ax
    cli
    mov ss, ax
    mov sp, #_stack+STACK_SIZE
    sti
    call _prompt_loop
    jmp hang

; void brk_install(void): INT 23h is brk_handler
export _brk_install
_brk_install:
    push ds
    mov ax, ds
    seg cs
    mov [brk_ds], ax
    mov ax, cs
    mov ds, ax
    mov dx, #brk_handler
    mov ax, #0x2523
    int 0x21
    pop ds
    ret

; int dosmgr_api(unsigned ax, char *line): DOSMGR's V86 API (INT 2Fh AX=1684h BX=0015h, then a
; far call) with AX and DS:DX; its AX, or -1 if there is none or it set CF.
export _dosmgr_api
_dosmgr_api:
    push bp
    mov bp, sp
    push si
    push di
    push es
    mov ax, #0x1684
    mov bx, #0x0015
    xor di, di
    mov es, di
    int 0x2F
    mov [_api_ptr], di
    mov [_api_ptr+2], es
    mov ax, es
    or ax, di
    jz api_fail
    mov ax, [bp+4]
    mov dx, [bp+6]
    callf [_api_ptr]
    jnc api_done
api_fail:
    mov ax, #-1
api_done:
    pop es
    pop di
    pop si
    pop bp
    ret

export _getds
_getds:
    mov ax, ds
    ret

; int int21(struct regs *r): AX BX CX DX SI DI from r (DS and ES stay ours), INT 21h, all of them
; back into r with ES and the flags; returns CF.  int21es: the same with ES from r (AH=49h and 4Ah
; take a block there).  int10: INT 10h.
export _int21
_int21:
    call regs_in
    int 0x21
    jmp regs_back

export _int21es
_int21es:
    call regs_in
    push bx
    mov bx, sp
    mov bx, [bx+2]                      ; r, which regs_in left on the stack
    mov es, [bx+14]
    pop bx
    int 0x21
    jmp regs_back

export _int10
_int10:
    call regs_in
    int 0x10
    jmp regs_back

; the prologue of the three: BP, SI, DI and r saved; AX CX DX SI DI BX loaded from r (BX last:
; a caller that needs r still finds it at [SP])
regs_in:
    pop ax                              ; our return address
    push bp
    mov bp, sp
    push si
    push di
    mov bx, [bp+4]
    push bx
    push ax
    mov ax, [bx]
    mov cx, [bx+4]
    mov dx, [bx+6]
    mov si, [bx+8]
    mov di, [bx+10]
    push word [bx+2]
    pop bx
    ret

regs_back:
    pushf
    push bx
    mov bx, sp
    mov bx, [bx+4]
    pop word [bx+2]
    pop word [bx+16]
    mov [bx], ax
    mov [bx+4], cx
    mov [bx+6], dx
    mov [bx+8], si
    mov [bx+10], di
    mov [bx+14], es
    mov ax, ds
    mov es, ax
    mov ax, [bx+16]
    and ax, #1
    pop bx
    pop di
    pop si
    pop bp
    ret

export _peekb
_peekb:
    push bp
    mov bp, sp
    push es
    mov es, [bp+4]
    mov bx, [bp+6]
    xor ax, ax
    seg es
    mov al, [bx]
    pop es
    pop bp
    ret

export _peekw
_peekw:
    push bp
    mov bp, sp
    push es
    mov es, [bp+4]
    mov bx, [bp+6]
    seg es
    mov ax, [bx]
    pop es
    pop bp
    ret

export _pokeb
_pokeb:
    push bp
    mov bp, sp
    push es
    mov es, [bp+4]
    mov bx, [bp+6]
    mov al, [bp+8]
    seg es
    mov [bx], al
    pop es
    pop bp
    ret
#endasm

/* ---- strings --------------------------------------------------------------------------------- */

static int slen(char *s) { int n = 0; while (s[n]) n++; return n; }
static void scpy(char *d, char *s) { while ((*d++ = *s++) != 0) ; }
static void scat(char *d, char *s) { scpy(d + slen(d), s); }
static int up(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
static int ieq(char *a, char *b)
{
    while (*a && up(*a) == up(*b)) { a++; b++; }
    return up(*a) == up(*b);
}
static int iprefix(char *s, char *p)   /* s starts with p, any case */
{
    while (*p) { if (up(*s) != up(*p)) return 0; s++; p++; }
    return 1;
}
static char *skip(char *s) { while (*s == ' ' || *s == '\t') s++; return s; }
static int has_wild(char *s) { for (; *s; s++) if (*s == '*' || *s == '?') return 1; return 0; }

/* ---- output ---------------------------------------------------------------------------------- */

static struct regs R;

static void outn(char *s, int n)
{
    if (n <= 0) return;
    R.ax = 0x4000; R.bx = 1; R.cx = n; R.dx = (unsigned)s;
    int21(&R);
}
static void out(char *s) { outn(s, slen(s)); }
static void nl(void) { out("\r\n"); }
static void say(char *s) { out(s); nl(); }

/* n in decimal, right-aligned in width (0: as it is), with thousands separators if commas. */
static void outnum(unsigned long n, int width, int commas)
{
    char b[20];
    int i = 19, k = 0;
    b[i] = 0;
    do {
        if (commas && k && k % 3 == 0) b[--i] = ',';
        b[--i] = (char)('0' + (int)(n % 10));
        n /= 10;
        k++;
    } while (n);
    while (width-- > 19 - i) out(" ");
    out(b + i);
}
static void out2(unsigned n) { char b[3]; b[0] = (char)('0' + n / 10 % 10); b[1] = (char)('0' + n % 10); b[2] = 0; out(b); }

/* ---- the environment: a block of our own, ENV_SIZE bytes ------------------------------------- */

static unsigned psp, envseg;

static char *env_get(char *name, char *buf, int cap)
{
    unsigned o = 0;
    int n = slen(name);
    while (o < ENV_SIZE && peekb(envseg, o)) {
        int i = 0;
        while (i < n && up(peekb(envseg, o + i)) == up(name[i])) i++;
        if (i == n && peekb(envseg, o + i) == '=') {
            int k = 0;
            o += n + 1;
            while (peekb(envseg, o) && k < cap - 1) buf[k++] = (char)peekb(envseg, o++);
            buf[k] = 0;
            return buf;
        }
        while (o < ENV_SIZE && peekb(envseg, o)) o++;
        o++;
    }
    return 0;
}

static unsigned env_end(void)
{
    unsigned o = 0;
    while (o < ENV_SIZE - 1 && (peekb(envseg, o) || peekb(envseg, o + 1))) o++;
    return peekb(envseg, 0) ? o + 1 : 0;   /* where the final NUL is */
}

/* NAME=value (value "" removes NAME); 0 if there is no room. */
static int env_set(char *name, char *value)
{
    unsigned o = 0, e;
    int n = slen(name), i;
    while (o < ENV_SIZE && peekb(envseg, o)) {
        unsigned start = o;
        i = 0;
        while (i < n && up(peekb(envseg, o + i)) == up(name[i])) i++;
        while (o < ENV_SIZE && peekb(envseg, o)) o++;
        o++;
        if (i == n && peekb(envseg, start + i) == '=') {    /* remove it: move the rest down */
            unsigned end = env_end() + 1, k;
            for (k = 0; o + k < end + 1 && o + k < ENV_SIZE; k++)
                pokeb(envseg, start + k, peekb(envseg, o + k));
            o = start;
        }
    }
    if (!*value) return 1;
    e = env_end();
    if (e + n + slen(value) + 4 >= ENV_SIZE - 64) return 0;   /* room kept for the program path */
    for (i = 0; i < n; i++) pokeb(envseg, e++, (unsigned char)up(name[i]));
    pokeb(envseg, e++, '=');
    for (i = 0; value[i]; i++) pokeb(envseg, e++, (unsigned char)value[i]);
    pokeb(envseg, e++, 0);
    pokeb(envseg, e, 0);
    return 1;
}

/* ---- DOS calls ------------------------------------------------------------------------------- */

static int dos_error;
static int errorlevel;
static int echo_on = 1;

static void cwd(char *b)        /* "C:\DIR" */
{
    b[0] = 'C'; b[1] = ':'; b[2] = '\\';
    R.ax = 0x4700; R.dx = 0; R.si = (unsigned)(b + 3);
    if (int21(&R)) b[3] = 0;
}

static int dos_open(char *name, int mode)
{
    R.ax = 0x3D00 | mode; R.dx = (unsigned)name;
    if (int21(&R)) { dos_error = R.ax; return -1; }
    return (int)R.ax;
}
static int dos_create(char *name)
{
    R.ax = 0x3C00; R.cx = 0; R.dx = (unsigned)name;
    if (int21(&R)) { dos_error = R.ax; return -1; }
    return (int)R.ax;
}
static void dos_close(int h) { R.ax = 0x3E00; R.bx = h; int21(&R); }
static int dos_read(int h, char *b, int n)
{
    R.ax = 0x3F00; R.bx = h; R.cx = n; R.dx = (unsigned)b;
    if (int21(&R)) { dos_error = R.ax; return -1; }
    return (int)R.ax;
}
static int dos_write(int h, char *b, int n)
{
    R.ax = 0x4000; R.bx = h; R.cx = n; R.dx = (unsigned)b;
    if (int21(&R)) { dos_error = R.ax; return -1; }
    return (int)R.ax;
}
static void dos_seek_end(int h) { R.ax = 0x4202; R.bx = h; R.cx = 0; R.dx = 0; int21(&R); }
static int dos_dup(int h) { R.ax = 0x4500; R.bx = h; return int21(&R) ? -1 : (int)R.ax; }
static void dos_dup2(int h, int to) { R.ax = 0x4600; R.bx = h; R.cx = to; int21(&R); }

static char dta[64];
static void set_dta(void) { R.ax = 0x1A00; R.dx = (unsigned)dta; int21(&R); }
static int find_first(char *pat, int attr)
{
    set_dta();
    R.ax = 0x4E00; R.cx = attr; R.dx = (unsigned)pat;
    if (int21(&R)) { dos_error = R.ax; return 0; }
    return 1;
}
static int find_next(void) { set_dta(); R.ax = 0x4F00; return !int21(&R); }
static int exists(char *name)
{
    R.ax = 0x4300; R.dx = (unsigned)name;
    return !int21(&R);
}
static int is_dir(char *name)
{
    int n = slen(name);
    if (n == 0 || (n == 2 && name[1] == ':') || (n > 0 && name[n - 1] == '\\')) return 1;
    R.ax = 0x4300; R.dx = (unsigned)name;
    return !int21(&R) && (R.cx & 0x10);
}

static char *dos_msg(int e)
{
    switch (e) {
    case 2: return "File not found";
    case 3: return "Path not found";
    case 4: return "Too many open files";
    case 5: return "Access denied";
    case 8: return "Insufficient memory";
    case 0x0B: return "Invalid format";
    case 0x0F: return "Invalid drive specification";
    case 0x10: return "Attempt to remove current directory";
    case 0x12: return "No more files";
    case 0x27: return "Insufficient disk space";
    case 0x50: return "File exists";
    }
    return "General failure";
}
static void fail(char *what, char *name)
{
    out(what);
    if (name && *name) { out(" - "); out(name); }
    nl();
}

/* ---- words --------------------------------------------------------------------------------- */

#define MAXARGS 16
static char *argv_[MAXARGS];
static int argc_;

/* Splits s (modified) into words at blanks, commas, semicolons and '='. */
static void split(char *s)
{
    argc_ = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == ',' || *s == ';' || *s == '=') s++;
        if (!*s || argc_ == MAXARGS) break;
        argv_[argc_++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != ',' && *s != ';' && *s != '=') s++;
        if (*s) *s++ = 0;
    }
}

/* A path's last component (after '\' or ':'). */
static char *base(char *p)
{
    char *b = p;
    for (; *p; p++) if (*p == '\\' || *p == ':') b = p + 1;
    return b;
}

/* dir + "\" + name, without a doubled '\'. */
static void join(char *out_, char *dir, char *name)
{
    int n;
    scpy(out_, dir);
    n = slen(out_);
    if (n && out_[n - 1] != '\\' && out_[n - 1] != ':') scat(out_, "\\");
    scat(out_, name);
}

/* ---- internal commands ----------------------------------------------------------------------- */

static void show_date(unsigned d)
{
    out2((d >> 5) & 15); out("-"); out2(d & 31); out("-"); out2(((d >> 9) + 1980) % 100);
}
static void show_time(unsigned t)
{
    unsigned h = t >> 11, m = (t >> 5) & 63;
    outnum((unsigned long)(h % 12 ? h % 12 : 12), 2, 0); out(":"); out2(m); out(h < 12 ? "a" : "p");
}

static void cmd_dir(char *arg)
{
    char pat[LINE_MAX], here[80], name[13];
    int wide = 0, files = 0, dirs = 0, col = 0, i;
    unsigned long bytes = 0;
    char *p = 0;
    split(arg);
    for (i = 0; i < argc_; i++)
        if (argv_[i][0] == '/') { if (up(argv_[i][1]) == 'W') wide = 1; }
        else p = argv_[i];
    if (!p) p = "";
    scpy(pat, p);
    if (!*pat || is_dir(pat)) join(pat, pat, "*.*");
    else if (!has_wild(base(pat)) && !base(pat)[0]) scat(pat, "*.*");
    if (pat[0] && pat[1] == ':' && up(pat[0]) != 'C') { say("Invalid drive specification"); return; }
    say(" Volume in drive C has no label");
    cwd(here);
    out(" Directory of ");
    {                                           /* the pattern's directory, absolute or not */
        char d[LINE_MAX];
        int abs_ = pat[0] == '\\' || (pat[1] == ':' && pat[2] == '\\'), n;
        scpy(d, pat[1] == ':' ? pat + 2 : pat);
        *base(d) = 0;
        n = slen(d);
        if (n > abs_) d[n - 1] = 0;             /* its last '\\', not the root's */
        if (abs_) { out("C:"); out(d); }
        else { out(here); if (*d) { if (here[3]) out("\\"); out(d); } }
    }
    nl(); nl();
    if (!find_first(pat, 0x10)) { say("File not found"); return; }
    ctrlc = 0;
    do {
        char *n = dta + 30, *dot;
        unsigned attr = (unsigned char)dta[21];
        scpy(name, n);
        if (wide) {
            out(name);
            for (i = slen(name); i < 16; i++) out(" ");
            if (++col == 5) { nl(); col = 0; }
        } else {
            dot = 0;
            for (i = 0; name[i]; i++) if (name[i] == '.') dot = name + i;
            if (dot && dot != name) { *dot = 0; out(name); for (i = slen(name); i < 9; i++) out(" "); out(dot + 1); for (i = slen(dot + 1); i < 3; i++) out(" "); }
            else { out(name); for (i = slen(name); i < 12; i++) out(" "); }
            if (attr & 0x10) out("     <DIR>    ");
            else outnum(*(unsigned long *)(dta + 26), 14, 1);
            out(" ");
            show_date(*(unsigned *)(dta + 24));
            out("  ");
            show_time(*(unsigned *)(dta + 22));
            nl();
        }
        if (attr & 0x10) dirs++; else { files++; bytes += *(unsigned long *)(dta + 26); }
    } while (!ctrlc && find_next());
    if (ctrlc) return;
    if (wide && col) nl();
    outnum((unsigned long)(files + dirs), 9, 0); out(" file(s)"); outnum(bytes, 15, 1); say(" bytes");
    R.ax = 0x3600; R.dx = 0; int21(&R);
    {
        unsigned long f = R.ax;
        f *= R.bx;
        f *= R.cx;
        outnum(f, 33, 1); say(" bytes free");
    }
}

static void cmd_cd(char *arg)
{
    char b[80];
    split(arg);
    if (!argc_) { cwd(b); say(b); return; }
    if (argv_[0][0] && argv_[0][1] == ':' && !argv_[0][2]) { cwd(b); say(b); return; }
    R.ax = 0x3B00; R.dx = (unsigned)argv_[0];
    if (int21(&R)) say("Invalid directory");
}

static void cmd_md(char *arg, int rd)
{
    split(arg);
    if (!argc_) { say("Required parameter missing"); return; }
    R.ax = rd ? 0x3A00 : 0x3900; R.dx = (unsigned)argv_[0];
    if (int21(&R)) {
        if (rd) say(R.ax == 0x10 ? "Attempt to remove current directory" : "Invalid path, not directory,\r\nor directory not empty");
        else say("Unable to create directory");
    }
}

static int yes(char *q)
{
    out(q);
    R.ax = 0x0100; int21(&R);
    nl();
    return up(R.ax & 0xFF) == 'Y';
}

static void cmd_del(char *arg)
{
    char dir[LINE_MAX], full[LINE_MAX];
    split(arg);
    if (!argc_) { say("Required parameter missing"); return; }
    scpy(dir, argv_[0]);
    if (is_dir(dir)) join(dir, dir, "*.*");
    if (ieq(base(dir), "*.*") && !yes("All files in directory will be deleted!\r\nAre you sure (Y/N)?")) return;
    scpy(full, dir);
    *base(dir) = 0;
    if (!find_first(full, 0)) { say("File not found"); return; }
    do {
        join(full, dir, dta + 30);
        R.ax = 0x4100; R.dx = (unsigned)full;
        if (int21(&R)) fail("Access denied", full);
    } while (find_next());
}

/* REN's (and COPY's) new name from a pattern: in each part, name and extension, '?' takes the
 * old name's character at that place, '*' the rest of the old part, anything else is itself. */
static void wild_name(char *out_, char *old, char *pat)
{
    char *old_ext = old, *pat_ext = pat, *src, *p;
    int o = 0, k, part;
    while (*old_ext && *old_ext != '.') old_ext++;
    while (*pat_ext && *pat_ext != '.') pat_ext++;
    for (part = 0; part < 2; part++) {
        int start = o;
        src = part ? (*old_ext ? old_ext + 1 : old_ext) : old;
        p = part ? pat_ext + 1 : pat;
        if (part) {
            if (!*pat_ext) break;
            out_[o++] = '.';
        }
        for (k = 0; *p && (part || *p != '.') && o < 12; p++, k++) {
            int in_src = k <= slen(src) && src[k] && src[k] != '.';
            if (*p == '*') {
                while (in_src && o < 12) {
                    out_[o++] = src[k++];
                    in_src = src[k] && src[k] != '.';
                }
                break;
            }
            if (*p != '?') out_[o++] = *p;
            else if (in_src) out_[o++] = src[k];
        }
        if (part && o == start + 1) o = start;  /* no extension: no dot */
    }
    out_[o] = 0;
}

static void cmd_ren(char *arg)
{
    char dir[LINE_MAX], from[LINE_MAX], to[LINE_MAX], newn[13], *pat;
    split(arg);
    if (argc_ < 2) { say("Required parameter missing"); return; }
    scpy(dir, argv_[0]);
    *base(dir) = 0;
    pat = argv_[1];
    if (!find_first(argv_[0], 0)) { say("File not found"); return; }
    do {
        join(from, dir, dta + 30);
        wild_name(newn, dta + 30, pat);
        join(to, dir, newn);
        R.ax = 0x5600; R.dx = (unsigned)from; R.di = (unsigned)to;
        if (int21(&R)) { say("Duplicate file name or file not found"); return; }
    } while (find_next());
}

static char iobuf[2048];

/* Copies the file from to the file to; 0 and a message if it cannot. */
static int copy_one(char *from, char *to)
{
    int in, o, n;
    if (ieq(from, to)) { say("File cannot be copied onto itself"); return 0; }
    in = dos_open(from, 0);
    if (in < 0) { fail(dos_msg(dos_error), from); return 0; }
    o = dos_create(to);
    if (o < 0) { dos_close(in); fail(dos_msg(dos_error), to); return 0; }
    while ((n = dos_read(in, iobuf, sizeof iobuf)) > 0) {
        if (ieq(from, "CON")) {                         /* COPY CON: until ^Z */
            int k;
            for (k = 0; k < n && iobuf[k] != 0x1A; k++) ;
            if (k < n) { dos_write(o, iobuf, k); break; }
        }
        if (dos_write(o, iobuf, n) != n) { dos_close(in); dos_close(o); say("Insufficient disk space"); return 0; }
    }
    dos_close(in);
    dos_close(o);
    return 1;
}

static void cmd_copy(char *arg)
{
    char src[LINE_MAX], dst[LINE_MAX], dir[LINE_MAX], from[LINE_MAX], to[LINE_MAX];
    int n = 0, i, k = 0;
    char *a[2];
    split(arg);
    for (i = 0; i < argc_; i++) if (argv_[i][0] != '/' && k < 2) a[k++] = argv_[i];
    if (!k) { say("Required parameter missing"); return; }
    scpy(src, a[0]);
    scpy(dst, k > 1 ? a[1] : "");
    if (ieq(src, "CON")) {
        if (!*dst) { say("Required parameter missing"); return; }
        if (copy_one("CON", dst)) say("        1 file(s) copied");
        return;
    }
    if (is_dir(src)) join(src, src, "*.*");
    scpy(dir, src);
    *base(dir) = 0;
    if (!find_first(src, 0)) { fail("File not found", src); return; }
    do {
        join(from, dir, dta + 30);
        if (!*dst) scpy(to, dta + 30);
        else if (is_dir(dst)) join(to, dst, dta + 30);
        else if (has_wild(dst)) { char nn[13]; wild_name(nn, dta + 30, base(dst)); scpy(to, dst); *base(to) = 0; scat(to, nn); }
        else scpy(to, dst);
        if (!copy_one(from, to)) break;
        n++;
    } while (find_next());
    outnum((unsigned long)n, 9, 0); say(" file(s) copied");
}

static void cmd_type(char *arg)
{
    int h, n, k;
    split(arg);
    if (!argc_) { say("Required parameter missing"); return; }
    h = dos_open(argv_[0], 0);
    if (h < 0) { fail(dos_msg(dos_error), argv_[0]); return; }
    ctrlc = 0;
    while (!ctrlc && (n = dos_read(h, iobuf, sizeof iobuf)) > 0) {
        for (k = 0; k < n && iobuf[k] != 0x1A; k++) ;
        outn(iobuf, k);
        if (k < n) break;
    }
    dos_close(h);
}

static void cmd_cls(void)
{
    struct regs v;
    v.ax = 0x0F00; int10(&v);
    v.ax = v.ax & 0x7F; int10(&v);              /* the same mode again: a clear screen */
}

static void cmd_set(char *arg)
{
    char name[64], *eq;
    unsigned o = 0;
    arg = skip(arg);
    if (!*arg) {
        while (o < ENV_SIZE && peekb(envseg, o)) {
            char line[LINE_MAX];
            int k = 0;
            while (peekb(envseg, o) && k < LINE_MAX - 1) line[k++] = (char)peekb(envseg, o++);
            line[k] = 0;
            o++;
            say(line);
        }
        return;
    }
    for (eq = arg; *eq && *eq != '='; eq++) ;
    if (!*eq) { if (!env_get(arg, iobuf, 256)) say("Syntax error"); else { out(arg); out("="); say(iobuf); } return; }
    *eq = 0;
    if (eq - arg >= (int)sizeof name) { say("Syntax error"); return; }
    scpy(name, arg);
    if (!env_set(name, eq + 1)) say("Out of environment space");
}

static void cmd_path(char *arg)
{
    arg = skip(arg);
    if (*arg == '=') arg = skip(arg + 1);
    if (!*arg) {
        if (env_get("PATH", iobuf, 256)) { out("PATH="); say(iobuf); } else say("No Path");
        return;
    }
    if (*arg == ';') arg = "";
    if (!env_set("PATH", arg)) say("Out of environment space");
}

static void cmd_prompt(char *arg)
{
    arg = skip(arg);
    if (!env_set("PROMPT", *arg ? arg : "$P$G")) say("Out of environment space");
}

static void cmd_mem(void)
{
    unsigned seg, total = 0, largest = 0, free_ = 0;
    char t;
    R.ax = 0x5200; int21(&R);
    seg = peekw(R.es, R.bx - 2);
    for (;;) {
        unsigned size = peekw(seg, 3);
        t = (char)peekb(seg, 0);
        if (t != 'M' && t != 'Z') { say("Memory allocation error"); return; }
        total += size + 1;
        if (!peekw(seg, 1)) { free_ += size; if (size > largest) largest = size; }
        if (t == 'Z') break;
        seg += size + 1;
    }
    nl();
    outnum(((unsigned long)seg + peekw(seg, 3) + 1) * 16, 12, 1); say(" bytes total conventional memory");
    outnum((unsigned long)free_ * 16, 12, 1); say(" bytes free");
    outnum((unsigned long)largest * 16, 12, 1); out(" largest executable program size ("); outnum((unsigned long)largest / 64, 0, 0); say("K)");
}

static void cmd_pause(void)
{
    out("Press any key to continue . . .");
    R.ax = 0x0700; int21(&R);                   /* no Ctrl-C check: one key, whichever */
    if ((R.ax & 0xFF) == 3) { out("^C"); ctrlc = 1; }
    else if (!(R.ax & 0xFF)) { R.ax = 0x0700; int21(&R); }     /* an extended key's second byte */
    nl();
}

/* ---- programs ------------------------------------------------------------------------------- */

static int run_line(char *line);
static int run_batch(char *path, char *typed, char *args, int call);

static char exec_tail[130];
static char fcb1[37], fcb2[37];
static struct { unsigned env, tail_off, tail_seg, f1_off, f1_seg, f2_off, f2_seg; } pblock;

/* path.COM, .EXE, .BAT of name in dir: found (into out_) or not. */
static int find_prog(char *out_, char *dir, char *name)
{
    static char *ext[3] = { ".COM", ".EXE", ".BAT" };
    char *b = base(name), *p;
    int i, dotted = 0;
    for (p = b; *p; p++) if (*p == '.') dotted = 1;
    if (dotted) {
        join(out_, dir, name);
        for (i = 0; i < 3; i++) if (ieq(p - 4, ext[i]) && exists(out_)) return 1;
        return 0;
    }
    for (i = 0; i < 3; i++) {
        join(out_, dir, name);
        scat(out_, ext[i]);
        if (exists(out_)) return 1;
    }
    return 0;
}

static int external(char *name, char *args)
{
    static char path[LINE_MAX], dirs[256];      /* not kept across a nested batch file */
    char *d, *e;
    int found = 0, n;
    if (base(name) != name) found = find_prog(path, "", name);
    else {
        found = find_prog(path, "", name);
        if (!found && env_get("PATH", dirs, sizeof dirs))
            for (d = dirs; *d && !found; d = e) {
                for (e = d; *e && *e != ';'; e++) ;
                if (*e) *e++ = 0;
                if (*d) found = find_prog(path, d, name);
            }
    }
    if (!found) { say("Bad command or file name"); return 0; }
    n = slen(path);
    if (ieq(path + n - 4, ".BAT")) return run_batch(path, name, args, 0);
    n = slen(args);
    if (n > 126) n = 126;
    exec_tail[0] = (char)n;
    for (e = args, d = exec_tail + 1; e < args + n; ) *d++ = *e++;
    *d = 0x0D;
    /* the first two parameters into the FCBs, as DOS's COMMAND.COM does */
    for (e = fcb1; e < fcb1 + 37; e++) *e = 0;
    for (e = fcb2; e < fcb2 + 37; e++) *e = 0;
    R.ax = 0x2901; R.si = (unsigned)(exec_tail + 1); R.di = (unsigned)fcb1; int21(&R);
    R.ax = 0x2901; R.di = (unsigned)fcb2; int21(&R);
    pblock.env = 0;
    pblock.tail_off = (unsigned)exec_tail; pblock.tail_seg = getds();
    pblock.f1_off = (unsigned)fcb1; pblock.f1_seg = getds();
    pblock.f2_off = (unsigned)fcb2; pblock.f2_seg = getds();
    R.ax = 0x4B00; R.dx = (unsigned)path; R.bx = (unsigned)&pblock;
    child_running = 1;
    n = int21(&R);
    child_running = 0;
    if (n) {
        switch (R.ax) {
        case 8: say("Program too big to fit in memory"); break;
        case 0x0B: say("Error in EXE file"); break;
        default: fail(dos_msg(R.ax), path);
        }
        errorlevel = 0;
        return 0;
    }
    R.ax = 0x4D00; int21(&R);
    errorlevel = R.ax & 0xFF;
    if ((R.ax >> 8) == 1) ctrlc = 1;            /* it ended by Ctrl-C: a batch file asks */
    return 1;
}

/* ---- batch files ----------------------------------------------------------------------------- */

struct batch {
    unsigned seg;                               /* the file's text, in a block of its own */
    unsigned size, pos;
    char *arg[10];                              /* %0 - %9 (into args) */
    char args[LINE_MAX];
    int shift;
    char *argv[MAXARGS + 1];
    int argc;
};
static struct batch *bat;                       /* the one running, or 0 */
static int batch_depth, batch_abort;

/* Before each line of a batch file: a Ctrl-C typed (AH=0Bh looks: our INT 23h sets ctrlc) or
 * one that ended a program asks "Terminate batch job (Y/N)?"; Y (or Ctrl-C) ends every batch
 * file running. */
static int batch_break(void)
{
    int c;
    R.ax = 0x0B00; int21(&R);
    if (!ctrlc) return 0;
    ctrlc = 0;
    for (;;) {
        out("Terminate batch job (Y/N)? ");
        R.ax = 0x0700; int21(&R);
        c = up(R.ax & 0xFF);
        if (c == 'Y' || c == 'N' || c == 3) break;
        nl();
    }
    if (c == 3) out("^C"); else { char e[2]; e[0] = (char)c; e[1] = 0; out(e); }
    nl();
    if (c == 'N') return 0;
    batch_abort = 1;
    return 1;
}

static int bat_line(char *b, int cap)
{
    int n = 0;
    if (bat->pos >= bat->size) return 0;
    while (bat->pos < bat->size) {
        char c = (char)peekb(bat->seg, bat->pos++);
        if (c == '\n') break;
        if (c == 0x1A) { bat->pos = bat->size; break; }
        if (c != '\r' && n < cap - 1) b[n++] = c;
    }
    b[n] = 0;
    return 1;
}

static char *bat_arg(int i)
{
    i += bat->shift;
    return i >= 0 && i < bat->argc ? bat->argv[i] : "";
}

/* %0-%9, %VAR%, %% expanded into out_. */
static void expand(char *out_, char *in, int cap)
{
    int o = 0;
    char name[64], val[256], *v;
    while (*in && o < cap - 1) {
        if (*in != '%') { out_[o++] = *in++; continue; }
        in++;
        if (*in == '%') { out_[o++] = '%'; in++; continue; }
        if (bat && *in >= '0' && *in <= '9') {
            for (v = bat_arg(*in - '0'); *v && o < cap - 1; ) out_[o++] = *v++;
            in++;
            continue;
        }
        {
            int k = 0;
            char *s = in;
            while (*s && *s != '%' && k < 63) name[k++] = *s++;
            name[k] = 0;
            if (*s == '%') {
                in = s + 1;
                if (env_get(name, val, sizeof val))
                    for (v = val; *v && o < cap - 1; ) out_[o++] = *v++;
            } else if (!bat) out_[o++] = '%';
        }
    }
    out_[o] = 0;
}

static int goto_label(char *label)
{
    char l[LINE_MAX];
    bat->pos = 0;
    while (bat_line(l, sizeof l)) {
        char *s = skip(l);
        if (*s == ':' && ieq(s + 1, label)) return 1;
        if (*s == ':') {                        /* a label followed by a comment */
            char *e = s + 1;
            int n = slen(label);
            if (iprefix(e, label) && (e[n] == ' ' || e[n] == '\t' || !e[n])) return 1;
        }
    }
    say("Label not found");
    bat->pos = bat->size;
    return 0;
}

static int run_batch(char *path, char *typed, char *args, int call)
{
    struct batch b, *outer = bat;
    int h, n, i;
    char line[LINE_MAX], x[LINE_MAX];
    if (batch_depth >= 4) { say("Batch files nested too deep"); return 0; }
    h = dos_open(path, 0);
    if (h < 0) { say("Batch file missing"); return 0; }
    R.ax = 0x4202; R.bx = h; R.cx = 0; R.dx = 0; int21(&R);
    b.size = R.ax > 0xFFF0 || R.dx ? 0xFFF0 : R.ax;
    R.ax = 0x4200; R.bx = h; R.cx = 0; R.dx = 0; int21(&R);
    R.ax = 0x4800; R.bx = (b.size + 15) / 16 + 1;
    if (int21(&R)) { dos_close(h); say("Insufficient memory"); return 0; }
    b.seg = R.ax;
    for (i = 0; (unsigned)i < b.size; i += n) {
        n = dos_read(h, iobuf, sizeof iobuf);
        if (n <= 0) break;
        { int k; for (k = 0; k < n; k++) pokeb(b.seg, i + k, (unsigned char)iobuf[k]); }
    }
    b.size = i;
    dos_close(h);
    b.pos = 0;
    b.shift = 0;
    /* %0 as it was typed, %1 ... from the arguments */
    scpy(b.args, typed);
    n = slen(b.args);
    b.args[n] = ' ';
    for (i = 0; args[i] && n + 2 + i < LINE_MAX - 1; i++) b.args[n + 1 + i] = args[i];
    b.args[n + 1 + i] = 0;
    split(b.args);
    for (i = 0; i < argc_; i++) b.argv[i] = argv_[i];
    b.argc = argc_;
    if (!call && outer)                         /* chaining: the new file replaces the old */
        outer->pos = outer->size;
    bat = &b;
    batch_depth++;
    while (!batch_abort && !batch_break() && bat_line(line, sizeof line)) {
        char *s = skip(line);
        int quiet = 0;
        if (*s == ':' || !*s) continue;
        if (*s == '@') { quiet = 1; s++; }
        expand(x, s, sizeof x);
        if (echo_on && !quiet) {
            char p[80];
            cwd(p); out(p); out(">"); say(x);
        }
        run_line(x);
    }
    if (!--batch_depth) batch_abort = 0;
    bat = outer;
    R.ax = 0x4900; R.es = b.seg; int21es(&R);
    return 1;
}

/* IF [NOT] EXIST name / ERRORLEVEL n / a==b command */
static void cmd_if(char *arg)
{
    int not_ = 0, yes_ = 0;
    char *s = skip(arg), *w, *e;
    if (iprefix(s, "NOT ")) { not_ = 1; s = skip(s + 4); }
    if (iprefix(s, "EXIST ")) {
        char name[LINE_MAX];
        int k = 0;
        s = skip(s + 6);
        while (*s && *s != ' ' && k < LINE_MAX - 1) name[k++] = *s++;
        name[k] = 0;
        yes_ = has_wild(name) ? find_first(name, 0) : exists(name);
    } else if (iprefix(s, "ERRORLEVEL ")) {
        int n = 0;
        s = skip(s + 11);
        while (*s >= '0' && *s <= '9') n = n * 10 + *s++ - '0';
        yes_ = errorlevel >= n;
    } else {
        for (w = s; *w && !(w[0] == '=' && w[1] == '='); w++) ;
        if (!*w) { say("Syntax error"); return; }
        for (e = w + 2; *e && *e != ' '; e++) ;
        {
            int la = (int)(w - s), lb = (int)(e - (w + 2)), k;
            yes_ = la == lb;
            for (k = 0; yes_ && k < la; k++) yes_ = s[k] == w[2 + k];
        }
        s = e;
    }
    if (yes_ != not_) run_line(skip(s));
}

static void cmd_echo(char *arg)
{
    char *s = arg;
    if (*s == '.' || *s == '/') { say(s + 1); return; }   /* ECHO. : an empty line */
    s = skip(s);
    if (!*s) { say(echo_on ? "ECHO is on" : "ECHO is off"); return; }
    if (ieq(s, "ON")) { echo_on = 1; return; }
    if (ieq(s, "OFF")) { echo_on = 0; return; }
    say(s);
}

/* ---- one line: pipes, redirection, then the command ------------------------------------------ */

static int exit_asked;

static int run_simple(char *line)
{
    static char name[LINE_MAX];                 /* used before any nested batch file runs */
    char *s = skip(line), *args;
    int k = 0;
    if (*s == '@') s = skip(s + 1);
    while (*s && *s != ' ' && *s != '\t' && *s != '/' && *s != '.' && *s != '\\' && *s != ':' && k < 64)
        name[k++] = *s++;
    /* a path or a name with an extension is a program: take it whole */
    if ((*s == '.' || *s == '\\' || *s == ':') && !(k == 2 && up(name[0]) == 'C' && up(name[1]) == 'D') &&
        !(k == 4 && ieq(name, "ECHO"))) {
        while (*s && *s != ' ' && *s != '\t' && *s != '/' && k < LINE_MAX - 1) name[k++] = *s++;
    }
    name[k] = 0;
    args = s;
    if (!k) return 1;
    if (k == 2 && name[1] == ':') {             /* "C:" */
        if (up(name[0]) != 'C') say("Invalid drive specification");
        return 1;
    }
    if (ieq(name, "DIR")) cmd_dir(args);
    else if (ieq(name, "CD") || ieq(name, "CHDIR")) cmd_cd(args);
    else if (ieq(name, "MD") || ieq(name, "MKDIR")) cmd_md(args, 0);
    else if (ieq(name, "RD") || ieq(name, "RMDIR")) cmd_md(args, 1);
    else if (ieq(name, "DEL") || ieq(name, "ERASE")) cmd_del(args);
    else if (ieq(name, "REN") || ieq(name, "RENAME")) cmd_ren(args);
    else if (ieq(name, "COPY")) cmd_copy(args);
    else if (ieq(name, "TYPE")) cmd_type(args);
    else if (ieq(name, "CLS")) cmd_cls();
    else if (ieq(name, "ECHO")) cmd_echo(args);
    else if (ieq(name, "SET")) cmd_set(args);
    else if (ieq(name, "PATH")) cmd_path(args);
    else if (ieq(name, "PROMPT")) cmd_prompt(args);
    else if (ieq(name, "VER")) { nl(); say("VMM32 DOS version 5.00 (DOSMGR)"); nl(); }
    else if (ieq(name, "MEM")) cmd_mem();
    else if (ieq(name, "REM")) ;
    else if (ieq(name, "PAUSE")) cmd_pause();
    else if (ieq(name, "EXIT")) exit_asked = 1;
    else if (ieq(name, "START")) {              /* a new VM (DOSMGR's), with the focus */
        static char cl[LINE_MAX];
        char *a = skip(args);
        scpy(cl, *a ? a : "C:\\COMMAND.COM");
        if (dosmgr_api(0x0100, cl) == -1) say("Cannot start a new VM (the console says why)");
    }
    else if (ieq(name, "IF")) cmd_if(args);
    else if (ieq(name, "GOTO")) { if (bat) { char *l = skip(args); if (*l == ':') l++; goto_label(l); } }
    else if (ieq(name, "SHIFT")) { if (bat) bat->shift++; }
    else if (ieq(name, "CALL")) {
        static char prog[LINE_MAX], path[LINE_MAX];
        char *a = skip(args);
        k = 0;
        while (*a && *a != ' ' && k < LINE_MAX - 1) prog[k++] = *a++;
        prog[k] = 0;
        if (find_prog(path, "", prog) && ieq(path + slen(path) - 4, ".BAT")) return run_batch(path, prog, a, 1);
        return run_simple(args);
    } else return external(name, args);
    return 1;
}

/* A word after a redirection sign: into out_, the line from s cut past it. */
static char *redir_name(char *s, char *out_)
{
    int k = 0;
    s = skip(s);
    while (*s && *s != ' ' && *s != '\t' && *s != '<' && *s != '>' && *s != '|' && k < 79) out_[k++] = *s++;
    out_[k] = 0;
    return s;
}

/* One command with its redirections (the pipe's files given as in_/out_ names, or 0). */
static int run_redirected(char *cmd, char *pipe_in, char *pipe_out)
{
    char clean[LINE_MAX], in_[80], out_[80], *s, *o = clean;
    int append = 0, saved0 = -1, saved1 = -1, h, ok = 1;
    in_[0] = out_[0] = 0;
    for (s = cmd; *s; ) {
        if (*s == '<') s = redir_name(s + 1, in_);
        else if (*s == '>') {
            append = s[1] == '>';
            s = redir_name(s + 1 + append, out_);
        } else *o++ = *s++;
    }
    *o = 0;
    if (pipe_in && !in_[0]) scpy(in_, pipe_in);
    if (pipe_out && !out_[0]) scpy(out_, pipe_out);
    if (in_[0]) {
        h = dos_open(in_, 0);
        if (h < 0) { say("File not found"); return 0; }
        saved0 = dos_dup(0);
        dos_dup2(h, 0);
        dos_close(h);
    }
    if (out_[0]) {
        h = append ? dos_open(out_, 1) : -1;
        if (h >= 0) dos_seek_end(h);
        else h = dos_create(out_);
        if (h < 0) {
            fail(dos_msg(dos_error), out_);
            ok = 0;
        } else {
            saved1 = dos_dup(1);
            dos_dup2(h, 1);
            dos_close(h);
        }
    }
    if (ok) ok = run_simple(clean);
    if (saved1 >= 0) { dos_dup2(saved1, 1); dos_close(saved1); }
    if (saved0 >= 0) { dos_dup2(saved0, 0); dos_close(saved0); }
    return ok;
}

static int run_line(char *line)
{
    char copy[LINE_MAX], *parts[8], tmp[2][80], *s;
    int n = 1, i, ok = 1;
    scpy(copy, line);
    parts[0] = copy;
    for (s = copy; *s; s++)
        if (*s == '|' && n < 8) { *s = 0; parts[n++] = s + 1; }
    if (n == 1) return run_redirected(copy, 0, 0);
    for (i = 0; i < n && ok; i++) {
        char *tdir = env_get("TEMP", tmp[i & 1], 60) ? tmp[i & 1] : "C:\\";
        char name[16];
        scpy(name, "PIPE0.$$$");
        name[4] = (char)('0' + (i & 1));
        if (tdir != tmp[i & 1]) scpy(tmp[i & 1], tdir);
        join(tmp[i & 1], tmp[i & 1], name);
        ok = run_redirected(parts[i], i ? tmp[(i - 1) & 1] : 0, i < n - 1 ? tmp[i & 1] : 0);
        if (i) { R.ax = 0x4100; R.dx = (unsigned)tmp[(i - 1) & 1]; int21(&R); }
    }
    return ok;
}

/* ---- the prompt and the loop ----------------------------------------------------------------- */

static void prompt(void)
{
    char p[80], *s, w[80];
    if (!env_get("PROMPT", p, sizeof p)) scpy(p, "$P$G");
    for (s = p; *s; s++) {
        if (*s != '$') { outn(s, 1); continue; }
        switch (up(*++s)) {
        case 'P': cwd(w); out(w); break;
        case 'G': out(">"); break;
        case 'L': out("<"); break;
        case 'B': out("|"); break;
        case 'Q': out("="); break;
        case '$': out("$"); break;
        case 'N': out("C"); break;
        case '_': nl(); break;
        case 'E': out("\x1b"); break;
        case 'H': out("\b \b"); break;
        case 'V': out("VMM32 DOS version 5.00"); break;
        case 'D': R.ax = 0x2A00; int21(&R); out2(R.dx >> 8); out("-"); out2(R.dx & 0xFF); out("-"); outnum((unsigned long)R.cx, 0, 0); break;
        case 'T': R.ax = 0x2C00; int21(&R); out2(R.cx >> 8); out(":"); out2(R.cx & 0xFF); out(":"); out2(R.dx >> 8); break;
        case 0: s--; break;
        }
    }
}

static char line[LINE_MAX + 2];

void shell(void)
{
    unsigned end, oldenv, i;
    char tail[130], *t;
    int n, once = 0, perm = 0;
    extern char _end;
    R.ax = 0x6200; int21(&R);
    psp = R.bx;
    /* our block: the PSP, the code, the data up to the end of the BSS (the stack is in it) */
    end = getds() + ((unsigned)&_end + 15) / 16;
    R.ax = 0x4A00; R.bx = end - psp; R.es = psp; int21es(&R);
    /* an environment of our own, with room for SET */
    oldenv = peekw(psp, 0x2C);
    R.ax = 0x4800; R.bx = ENV_SIZE / 16;
    if (!int21(&R)) {
        envseg = R.ax;
        for (i = 0; i < ENV_SIZE; i++) pokeb(envseg, i, 0);
        for (i = 0; i < ENV_SIZE - 2 && oldenv && (peekb(oldenv, i) || peekb(oldenv, i + 1)); i++)
            pokeb(envseg, i, peekb(oldenv, i));
        pokeb(psp, 0x2C, (unsigned char)envseg);
        pokeb(psp, 0x2D, (unsigned char)(envseg >> 8));
        if (oldenv) { R.ax = 0x4900; R.es = oldenv; int21es(&R); }
    } else envseg = oldenv;
    /* the command tail: /C line, /P */
    n = peekb(psp, 0x80);
    for (i = 0; i < (unsigned)n && i < 127; i++) tail[i] = (char)peekb(psp, 0x81 + i);
    tail[i] = 0;
    t = skip(tail);
    while (*t == '/') {
        if (up(t[1]) == 'C') { once = 1; t = skip(t + 2); break; }
        if (up(t[1]) == 'P') perm = 1;
        t = skip(t + 2);
    }
    brk_install();                              /* INT 23h: ours */
    if (once) {
        run_line(t);
        R.ax = 0x4C00 | (errorlevel & 0xFF); int21(&R);
    }
    if (peekw(psp, 0x16) == 0x0070) {           /* the VM's first program: say where we are */
        nl();
        say("VMM32 DOS 5.00 -- drive C: is the boot partition, in memory: what you change on it");
        say("lasts until the machine restarts.  Alt+F11 (or START) opens another DOS VM, Alt+F12");
        say("switches between them; EXIT ends this VM (in VM 1, the system VM: the system).");
    }
    if (perm && exists("C:\\AUTOEXEC.BAT")) run_batch("C:\\AUTOEXEC.BAT", "C:\\AUTOEXEC.BAT", "", 1);
    prompt_loop();
}

/* The prompt, for ever (until EXIT); also where a Ctrl-C at the prompt starts again. */
void prompt_loop(void)
{
    int n;
    for (;;) {
        if (exit_asked) {
            if (peekw(psp, 0x16) == 0x0070) dosmgr_api(0x0200, "");   /* the VM's top shell */
            R.ax = 0x4C00 | (errorlevel & 0xFF); int21(&R);
        }
        nl();
        prompt();
        line[0] = LINE_MAX - 2;
        line[1] = 0;
        ctrlc = 0;
        at_prompt = 1;
        R.ax = 0x0A00; R.dx = (unsigned)line; int21(&R);
        at_prompt = 0;
        n = (unsigned char)line[1];
        nl();
        line[2 + n] = 0;
        if (n == 1 && line[2] == 0x1A) { R.ax = 0x4C00; int21(&R); }   /* end of the input file */
        run_line(line + 2);
    }
}
