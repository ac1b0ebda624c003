<#
  Install cptui from this folder: no network, no admin rights.

    powershell -NoProfile -ExecutionPolicy Bypass -File install.ps1 [-Target FOLDER]

  (or double-click install.cmd). The default FOLDER is %LOCALAPPDATA%\cptui.
  Checks every file against SHA256SUMS first and refuses a bundle that was
  changed, then makes a private Python environment in FOLDER and installs
  cptui from the wheels here only. Nothing is written outside FOLDER.
#>
param(
    [string]$Target = ''
)

function Fail([string]$Message) {
    Write-Host "cptui install: $Message"
    exit 1
}

$Here = $PSScriptRoot
if (-not $Target) {
    $base = $env:LOCALAPPDATA
    if (-not $base) { $base = $HOME }
    $Target = Join-Path $base 'cptui'
}
if (-not [System.IO.Path]::IsPathRooted($Target)) {
    $Target = Join-Path (Get-Location).Path $Target  # python resolves paths itself, not via PowerShell
}

# ---- 1. the bundle is exactly what was made
$sums = Join-Path $Here 'SHA256SUMS'
if (-not (Test-Path -LiteralPath $sums -PathType Leaf)) { Fail 'SHA256SUMS is missing: refusing to install' }
Write-Host 'Checking the bundle against SHA256SUMS ...'
$listed = @{}
foreach ($line in Get-Content -LiteralPath $sums) {
    if ($line -notmatch '^([0-9a-f]{64}) [ *](.+)$') { Fail "SHA256SUMS has a line that is not a checksum: $line" }
    $hash = $Matches[1]
    $rel = $Matches[2]
    if ($rel.Contains('..')) { Fail "SHA256SUMS names a file outside the bundle: $rel" }
    $listed[$rel] = $true
    $file = Join-Path $Here $rel
    if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { Fail "$rel is missing: refusing to install" }
    $actual = (Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash.ToLowerInvariant()
    if ($actual -ne $hash) { Fail "$rel does not match SHA256SUMS (changed or corrupted): refusing to install" }
}
$wheelDir = Join-Path $Here 'wheels'
foreach ($w in Get-ChildItem -LiteralPath $wheelDir -File) {
    if (-not $listed.ContainsKey("wheels/$($w.Name)")) { Fail "wheels/$($w.Name) is not listed in SHA256SUMS: refusing to install" }
}
$digest = (Get-FileHash -LiteralPath $sums -Algorithm SHA256).Hash.ToLowerInvariant()
Write-Host "All files match. SHA256SUMS itself has digest $digest"
Write-Host '(compare that with the one your team lead gave you)'

# ---- 2. a Python 3.11 or newer (the py launcher first: it needs no PATH changes)
function Test-Python([string]$Exe, [string[]]$Rest) {
    if (-not (Get-Command $Exe -ErrorAction SilentlyContinue)) { return $false }
    & $Exe @Rest -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' 2>$null | Out-Null
    return ($LASTEXITCODE -eq 0)
}
$py = $null
if ($env:CPTUI_PYTHON -and (Test-Python $env:CPTUI_PYTHON @())) {
    $py = @($env:CPTUI_PYTHON)  # one path, spaces and all
}
foreach ($cand in @('py -3.13', 'py -3.12', 'py -3.11', 'python', 'python3')) {
    if ($py) { break }
    $parts = @($cand -split ' ')
    if (Test-Python $parts[0] @($parts | Select-Object -Skip 1)) { $py = $parts }
}
if (-not $py) { Fail 'cptui needs Python 3.11 or newer, and none was found (set CPTUI_PYTHON to one)' }
$pyExe = $py[0]
$pyArgs = @($py | Select-Object -Skip 1)
Write-Host "Using $(& $pyExe @pyArgs -c 'import sys; print(sys.executable, sys.version.split()[0])')"

# ---- 3. a private environment in Target, from this folder only
Get-ChildItem Env: | Where-Object { $_.Name -like 'PIP_*' } | ForEach-Object {
    Remove-Item -LiteralPath "Env:$($_.Name)"
}
$env:PIP_CONFIG_FILE = 'nul'
$env:PIP_NO_INPUT = '1'
$env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
$env:PIP_NO_CACHE_DIR = '1'

New-Item -ItemType Directory -Force -Path $Target | Out-Null
$venv = Join-Path $Target 'venv'
& $pyExe @pyArgs -m venv $venv
if ($LASTEXITCODE -ne 0) { Fail "could not make a Python environment in $venv" }
$venvPy = Join-Path $venv 'Scripts\python.exe'
& $venvPy -m pip install --no-index --find-links $wheelDir --upgrade cptui
if ($LASTEXITCODE -ne 0) { Fail "pip could not install cptui from $wheelDir (see REPORT.txt for the platforms and Pythons this bundle covers)" }

$cptui = Join-Path $venv 'Scripts\cptui.exe'
$launcher = Join-Path $Target 'cptui.cmd'
Set-Content -LiteralPath $launcher -Encoding ASCII -Value "@`"$cptui`" %*"

Write-Host ''
Write-Host "cptui is installed in $Target"
& $cptui --version
Write-Host ''
Write-Host "Start it (opens the demo cases):   & `"$launcher`""
Write-Host "Open your team's cases folder:     & `"$launcher`" --cases C:\path\to\cases"
Write-Host "Check the demo from this bundle:   & `"$launcher`" check `"$(Join-Path $Here 'demo')`""
Write-Host 'In cmd.exe, leave out the "& ".'
exit 0
