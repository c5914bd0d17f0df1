# branchtool @VERSION@ offline installer for Windows (PowerShell 5.1 and newer).
# install.bat runs this file; so can "Run with PowerShell" in Explorer's menu.
# Finds a 64-bit Python 3.11-3.13 from python.org (offering the installer in
# the kit's python folder when there is none), then runs install.py with it.
param([switch]$NoPause, [Parameter(ValueFromRemainingArguments = $true)] $Rest)

$ErrorActionPreference = 'Continue'
$Kit = $PSScriptRoot
$Chinese = ((Get-UICulture).TwoLetterISOLanguageName -eq 'zh')

function Say([string]$zh, [string]$en) {
    if ($Chinese) { Write-Host $zh } else { Write-Host $en }
}

function Finish([int]$code) {
    if (-not $NoPause) {
        if ($Chinese) { Read-Host '按回车键关闭' | Out-Null } else { Read-Host 'Press Enter to close' | Out-Null }
    }
    exit $code
}

# The path of a usable python.exe behind $exe (with $pre arguments), or $null:
# 3.11-3.13, 64-bit, x86-64, and not the Microsoft Store build.
function Test-Python([string]$exe, [string[]]$pre) {
    # No double quotes in it: PowerShell 5.1 does not escape them for a program.
    $check = 'import sys, platform; ok = (3, 11) <= sys.version_info[:2] <= (3, 13) and sys.maxsize > 2**32 and platform.machine().lower() in (''amd64'', ''x86_64'') and ''windowsapps'' not in sys.executable.lower(); print(sys.executable if ok else '''')'
    try {
        $out = & $exe @pre -c $check 2>$null
        if ($LASTEXITCODE -eq 0 -and $out) { return ([string]$out).Trim() }
    } catch { }
    return $null
}

function Find-Python {
    if (Get-Command py.exe -ErrorAction SilentlyContinue) {
        foreach ($v in '3.13', '3.12', '3.11') {
            $found = Test-Python 'py.exe' @("-$v-64")
            if ($found) { return $found }
        }
    }
    foreach ($cmd in @(Get-Command python.exe -All -ErrorAction SilentlyContinue)) {
        # %LOCALAPPDATA%\Microsoft\WindowsApps\python.exe is the Store's stub
        if ($cmd.Source -like '*\WindowsApps\*') { continue }
        $found = Test-Python $cmd.Source @()
        if ($found) { return $found }
    }
    $roots = @("$env:LOCALAPPDATA\Programs\Python", "$env:ProgramFiles")
    foreach ($v in '313', '312', '311') {
        foreach ($root in $roots) {
            $exe = Join-Path $root "Python$v\python.exe"
            if (Test-Path $exe) {
                $found = Test-Python $exe @()
                if ($found) { return $found }
            }
        }
    }
    return $null
}

$python = Find-Python
if (-not $python) {
    $installer = Get-ChildItem -Path (Join-Path $Kit 'python') -Filter 'python-3.1*-amd64.exe' -ErrorAction SilentlyContinue |
        Where-Object { $_.Name -match '^python-3\.1[123]\.\d+-amd64\.exe$' } |
        Sort-Object Name -Descending | Select-Object -First 1
    if ($installer) {
        Say "没有找到可用的 Python（3.11、3.12 或 3.13，64 位，python.org 版）。" `
            "No usable Python (3.11, 3.12 or 3.13, 64-bit, from python.org) was found."
        if ($Chinese) { $answer = Read-Host "安装包里有 $($installer.Name)，现在安装它吗？(Y/N)" }
        else { $answer = Read-Host "The kit carries $($installer.Name). Install it now? (Y/N)" }
        if ($answer -match '^[YyＹｙ是]') {
            Say "正在安装 Python（只为当前用户，不需要管理员）……" "Installing Python (for this user only, no administrator needed) ..."
            $arguments = '/passive InstallAllUsers=0 Include_launcher=1 InstallLauncherAllUsers=0 PrependPath=1 Include_test=0'
            Start-Process -FilePath $installer.FullName -ArgumentList $arguments -Wait
            $python = Find-Python
        }
    }
}
if (-not $python) {
    Say "没有找到可用的 Python。请先安装 python.org 的 Windows 安装程序（64 位，3.11–3.13），不要用微软应用商店的 Python；详见 安装说明.txt。" `
        "No usable Python found. First install python.org's Windows installer (64-bit, 3.11-3.13), not the Microsoft Store's Python; see INSTALL.txt."
    Finish 1
}

& $python (Join-Path $Kit 'install.py') @Rest
Finish $LASTEXITCODE
