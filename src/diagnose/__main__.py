"""`python -m diagnose`: the command line, as the `diagnose` command."""

from diagnose.cli._main import main

if __name__ == "__main__":
    main()
