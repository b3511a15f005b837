#!/usr/bin/env bash
# Writecopy through host symlinks: stow's layout (~/.bashrc -> dotfiles/bashrc, with
# ~/dotfiles merged as a visible directory of $HOME) and its variants. The app reads what
# the links lead to, its writes through them land in its own copy (seen by its next
# run), and the host's targets stay byte for byte unchanged.
# Run alone: ctest -R 'security_(root|user)_symlink_writes' --output-on-failure
source "$1/lib.sh"
packed "$work/bash.appv" /bin/bash /bin/cat /bin/ls || bad "pack bash"
appv_has_run
mkdir -p "$HOME/dotfiles/nvim" "$HOME/Documents/dotfiles/vim" "$HOME/.config"
echo bashrc > "$HOME/dotfiles/bashrc"
echo profile > "$HOME/Documents/dotfiles/profile"
echo conf > "$HOME/Documents/dotfiles/app.conf"
echo init > "$HOME/dotfiles/nvim/init.vim"
echo vimrc > "$HOME/Documents/dotfiles/vim/vimrc"
ln -s dotfiles/bashrc "$HOME/.bashrc"                                  # stow: top level, relative, a file
ln -s "$HOME/Documents/dotfiles/profile" "$HOME/.profile"              # absolute, a file
ln -s ../Documents/dotfiles/app.conf "$HOME/.config/app.conf"          # in ~/.config, relative, a file
ln -s "$HOME/dotfiles/nvim" "$HOME/.config/nvim"                       # in ~/.config, absolute, a directory
ln -s Documents/dotfiles/vim "$HOME/.vim"                              # top level, relative, a directory
snapshot targets "$HOME/dotfiles" "$HOME/Documents" "$HOME/.bashrc" "$HOME/.profile" "$HOME/.vim" "$HOME/.config"

files='~/.bashrc ~/.profile ~/.config/app.conf ~/.config/nvim/init.vim ~/.vim/vimrc'
read_all="for f in $files; do cat \$f | tr '\\n' ' '; done"
write_all="for f in $files; do echo x >> \$f; done; echo new > ~/.config/nvim/planted; echo new > ~/.vim/planted"
check "before the first run, --dry-run shows the copy of ~/.bashrc's target" grep -q "^copy .*/home/\.bashrc <- $HOME/dotfiles/bashrc" \
  <<<"$("$A" run --dry-run "$work/bash.appv")"
same "the app reads what the links lead to" "bashrc profile conf init vimrc " \
  "$("$A" run "$work/bash.appv" -c "$read_all" 2>&1)"
same "the app's writes through the links land in its view" "bashrc x profile x conf x init x vimrc x " \
  "$("$A" run "$work/bash.appv" -c "$write_all; $read_all" 2>&1)"
same "its next run sees its writes" "bashrc x profile x conf x init x vimrc x new new" \
  "$("$A" run "$work/bash.appv" -c "$read_all; cat ~/.config/nvim/planted ~/.vim/planted | tr '\\n' ' ' | sed 's/ \$//'" 2>&1)"
same "a --temp run writes its own copy too" "bashrc x " \
  "$("$A" run --temp "$work/bash.appv" -c 'echo x >> ~/.bashrc; cat ~/.bashrc | tr "\n" " "' 2>&1)"
unchanged targets
same "the links are still links to the same targets" "dotfiles/bashrc $HOME/dotfiles/nvim" \
  "$(readlink "$HOME/.bashrc") $(readlink "$HOME/.config/nvim")"
# Writing into the merged directory itself still reaches the host (merged means merged).
"$A" run "$work/bash.appv" -c 'echo direct > ~/dotfiles/direct' >/dev/null 2>&1
same "a write to the merged directory itself reaches the host" "direct" "$(cat "$HOME/dotfiles/direct" 2>&1)"
"$A" sandbox reset "$work/bash.appv" >/dev/null 2>&1 || true
rm -rf "$HOME/dotfiles" "$HOME/Documents" "$HOME/.config" "$HOME/.bashrc" "$HOME/.profile" "$HOME/.vim"
finish
