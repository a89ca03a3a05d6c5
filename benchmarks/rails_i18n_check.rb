# Exits 1 unless Ruby's I18n (the gem Rails translates with) loads FILE, a Rails locale file (its one root key the
# locale), and formats every message: a plural (one, other) for counts 1 and 5, the others given count and name.
#   ruby benchmarks/rails_i18n_check.rb es.yml      (Debian: ruby-i18n)
require "i18n"
require "yaml"

file = ARGV.fetch(0)
locale = YAML.safe_load(File.read(file), aliases: true).keys.first.to_sym
I18n.available_locales = [locale]
I18n.load_path = [file]
failed = 0
check = lambda do |path, node|
  if node.is_a?(Hash) && !(node.keys & %w[one other]).empty?
    [1, 5].each { |n| I18n.t(path.join("."), locale: locale, count: n, name: "N", raise: true) }
  elsif node.is_a?(Hash)
    node.each { |key, inner| check.call(path + [key], inner) }
  else
    I18n.t(path.join("."), locale: locale, count: 3, name: "N", raise: true)
  end
rescue I18n::ArgumentError => e
  failed += 1
  warn "#{path.join('.')}: #{e.message}"
end
YAML.safe_load(File.read(file), aliases: true)[locale.to_s].each { |key, node| check.call([key], node) }
exit(failed.zero? ? 0 : 1)
