from classroom_server.cli import main

main()
