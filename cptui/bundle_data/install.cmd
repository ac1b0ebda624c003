@echo off
rem Install cptui from this folder (double-click, or run from a command prompt).
rem No admin rights: runs install.ps1 for this user only, allowing just this one script.
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
if errorlevel 1 (
  echo.
  echo The install did not finish: see the message above.
)
pause
