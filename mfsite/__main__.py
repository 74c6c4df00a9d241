from mfsite.cli import main

main()
