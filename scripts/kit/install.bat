@echo off
rem branchtool @VERSION@ offline installer for Windows: double-click this file.
rem It runs install.ps1 beside it (which finds Python and runs install.py).
rem This file stays ASCII: cmd reads it in the console's code page.
setlocal
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
exit /b %ERRORLEVEL%
