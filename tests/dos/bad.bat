@ECHO OFF
REM Bad input through the shell (the boot scenario dos-bad): each program refused with DOS's
REM error and the shell's message, a name DOS refuses, a full drive; OUT.TXT then compared.
BIG.COM>> OUT.TXT
BADHDR.EXE>> OUT.TXT
BADREL.EXE>> OUT.TXT
HUGE.EXE>> OUT.TXT
TYPE A+B.TXT>> OUT.TXT
COPY BIG.COM C:\COPY.COM>> OUT.TXT
ECHO end>> OUT.TXT
CHKOUT
