<?php
/* Stands in for core's mvc/script/load_phalcon.php (README.md): an
 * autoloader for the stub classes next to this directory. */
spl_autoload_register(function ($class) {
    $file = __DIR__ . '/../' . str_replace('\\', '/', $class) . '.php';
    if (strpos($class, 'OPNsense\\') === 0 && is_file($file)) {
        require_once $file;
    }
});
