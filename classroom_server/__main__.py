from classroom_server.commands import main

main()
