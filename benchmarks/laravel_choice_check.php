<?php
// Prints, as JSON, what Laravel's own MessageSelector (trans_choice's) shows for each choice of FILE without ranges
// ({0}, [2,*]) at counts 0, 1, 2, 5, 21 and 1000000 in LOCALE, by its key (auth.apples); exits 1 where a count takes
// a part the choice lacks (Laravel then shows its first part: "one apple" for 5).
//   php benchmarks/laravel_choice_check.php ru.php ru      (Debian: php-cli, php-illuminate-translation)
require 'Illuminate/Translation/autoload.php';
[, $file, $locale] = $argv;
$selector = new Illuminate\Translation\MessageSelector();
$shown = [];
$missing = [];
$walk = function ($value, $path) use (&$walk, $selector, $locale, &$shown, &$missing) {
    if (is_array($value)) {
        foreach ($value as $key => $inner) {
            $walk($inner, $path === '' ? "$key" : "$path.$key");
        }
        return;
    }
    $parts = explode('|', (string) $value);
    if (count($parts) < 2 || preg_grep('/^[\{\[][^\[\]\{\}]*[\}\]]/', $parts)) {
        return;  // (no choice, or one with ranges: Laravel picks its parts by them)
    }
    foreach ([0, 1, 2, 5, 21, 1000000] as $count) {
        $shown[$path][] = $selector->choose($value, $count, $locale);
        if (($index = $selector->getPluralIndex($locale, $count)) >= count($parts)) {
            $missing[] = "$path: $count takes part $index of " . count($parts);
        }
    }
};
$walk(include $file, '');
echo json_encode($shown, JSON_UNESCAPED_UNICODE), "\n";
if ($missing) {
    fwrite(STDERR, implode("\n", $missing) . "\n");
    exit(1);
}
