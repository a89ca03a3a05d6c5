<?php
// Exits 1 unless PHP reads FILE as a Laravel language file: it returns an array whose leaves are all strings or
// numbers; then prints the array as JSON (what benchmarks/message_files.py reads the translations from).
//   php benchmarks/php_lang_check.php es.php      (Debian: php-cli)
$messages = include $argv[1];
$leaves = function ($value) use (&$leaves) {
    return is_array($value) ? array_reduce($value, fn ($ok, $inner) => $ok && $leaves($inner), true)
                            : is_string($value) || is_int($value) || is_float($value);
};
if (!is_array($messages) || !$leaves($messages)) {
    fwrite(STDERR, "{$argv[1]} does not return an array of messages\n");
    exit(1);
}
echo json_encode($messages, JSON_UNESCAPED_UNICODE), "\n";
