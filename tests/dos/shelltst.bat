@ECHO OFF
REM The shell's test (the boot scenario dos-shell): every batch construct, redirection and
REM pipe, its output into OUT.TXT; CHKOUT.COM compares that with EXPECT.TXT.
ECHO start> OUT.TXT
ECHO args: %0 %1 %2 %3>> OUT.TXT
SHIFT
ECHO shifted: %1 %2>> OUT.TXT
SET GREETING=hello
ECHO var: %GREETING%>> OUT.TXT
ECHO percent: 100%%>> OUT.TXT
IF "%GREETING%"=="hello" ECHO if-equal yes>> OUT.TXT
IF NOT "%GREETING%"=="bye" ECHO if-not yes>> OUT.TXT
IF "%GREETING%"=="bye" ECHO wrong: if-equal>> OUT.TXT
IF EXIST OUT.TXT ECHO exist yes>> OUT.TXT
IF NOT EXIST NOFILE.TXT ECHO not-exist yes>> OUT.TXT
ECHO piped text| UPPER>> OUT.TXT
IF ERRORLEVEL 9 ECHO errorlevel 9 or more>> OUT.TXT
IF ERRORLEVEL 10 ECHO wrong: errorlevel>> OUT.TXT
ECHO lower> IN.TXT
UPPER < IN.TXT >> OUT.TXT
GOTO skip
ECHO wrong: not skipped>> OUT.TXT
:skip
ECHO after goto>> OUT.TXT
CALL SUB one
ECHO back from call>> OUT.TXT
COMMAND /C ECHO from a child shell>> OUT.TXT
MD D1
CD D1
ECHO one> A.TXT
COPY A.TXT B.TXT > NUL
REN B.TXT C.TXT
TYPE C.TXT>> ..\OUT.TXT
DEL A.TXT
IF NOT EXIST A.TXT ECHO deleted>> ..\OUT.TXT
DEL C.TXT
CD ..
IF EXIST D1\NUL ECHO dir exists>> OUT.TXT
RD D1
IF NOT EXIST D1\NUL ECHO removed>> OUT.TXT
DEL IN.TXT
ECHO.>> OUT.TXT
ECHO end>> OUT.TXT
CHKOUT
