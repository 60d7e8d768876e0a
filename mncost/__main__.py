from mncost.cli import main

main()
